"""Built-in checks: one module per check. Modules starting with `_` are shared helpers, not checks."""
