"""The demo county: `manage.py load_demo` asks every installed app for its part.

The demo app names no app. It finds each installed app's `demo` module (`<app>/demo.py`), in
INSTALLED_APPS order, and calls the functions below when the module has them; an app without
`demo.py` is skipped, and every function is optional. An app's `demo.py` reads from the database
what the apps before it made (the tree, the accounts) instead of receiving objects, and uses the
`ctx` it is given duck-typed: it imports neither this package nor its context (type hints only
under `TYPE_CHECKING`).

`add_arguments(parser)`
    Adds the app's own options (sizes such as `--policies`, or `--add-policies` for `extend`).
    They arrive in `ctx.options` under their `dest` names.

`existing() -> str | None`
    What of the app's demo data the database already holds ("organizations"), or None. If any
    app answers, the command refuses to load (or, with `--if-empty`, says so and stops).

`setup(ctx) -> list[str] | None`
    The county's structure: tree, leadership, accounts, grants, keys. Every app's `setup` runs in
    ONE transaction, in INSTALLED_APPS order, so a county is made whole or not at all.

`load(ctx) -> list[str] | None`
    Bulk content after the structure is committed (policies, cases, sample reports), in the app's
    own batches and transactions, in INSTALLED_APPS order.

`extend(ctx) -> list[str] | None`
    The `--add-*` modes: add content to an existing demo county. Returns None when the app's
    options ask for nothing (then the app took no part); raises CommandError when there is no
    county to add to. When any app extends, no county is loaded.

`summary() -> str | None`
    What the app's part now counts, for the first line ("40 policies").

Lines returned by `setup` and `load` are printed after the summary and the sign-ins, grouped by app
in INSTALLED_APPS order (a case number to follow, recovery keys, a receipt).

`ctx` (`dangjian.demo.context.DemoContext`) carries:
    `ctx.rng`             the one `random.Random` of the run, drawn from by every app in turn, so the
                          same `--seed` (and `--today`) builds the same county;
    `ctx.seed`, `ctx.reseed(offset)`  `extend` reseeds with what exists (seed + number of rows) so
                          repeated additions differ;
    `ctx.today`           the date everything is counted from (`--today`, default today);
    `ctx.password`        the password of every demo account (DEMO_PASSWORD);
    `ctx.options`         all parsed options, the apps' own included;
    `ctx.person_name()`   a Chinese personal name drawn from `ctx.rng`;
    `ctx.add_sign_in(username, mobile, role, organization)`  lists a demo account in the sign-ins
                          that the command prints.
"""
