"""gkaudit: audit Chinese government websites for the disclosure rules they must follow."""

__version__ = "0.1.0"
