"""Reading government-site columns, shared by the checks.

- `find`: ranked column links (names and URL slugs) and the links of a page;
- `items`: the entries of a list page (title, link, date) and its pagination;
- `read`: one column page judged alive, soft 404, blank or script-filled;
- `listing`: script-filled lists (Hanweb dataproxy/xxgk, TRS `?id=`, iframes) and their endpoints;
- `search`: the site's own search form (TRS igs, Hanweb jsearch).
"""
