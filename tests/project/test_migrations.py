"""Migrations keep what they ran: they import no value from the apps (issue 7).

A migration that imports a constant of the app (``CONTEXT_GUARD_SQL``) or a function that
builds SQL changes history when the app changes: a new database would then be migrated to
something no existing database ever ran. So migrations write their SQL and values literally,
and name only Django, third-party packages and their own ``migrations`` package.

Two kinds of references into the apps cannot be avoided, because the libraries serialise them
by import path; they are listed in ``ALLOWED`` with the reason, and none of them is a value:

- ``accounts.triggers.GuardedUpsertTriggerSql``: pgtrigger records, for every trigger, the
  class of the template that installs it. The class is frozen (its docstring: a changed
  template is a new class); ``test_the_trigger_template_is_frozen`` pins its text.
- ``accounts.validation.PlausibleDate`` and ``reject_control_characters``: Django records a
  field's validators by reference. Validators never reach the database, so history cannot
  change through them; Django requires them to stay importable.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from pathlib import Path

from django.apps import apps
from django.conf import settings

from accounts.triggers import GuardedUpsertTriggerSql

ALLOWED: dict[str, set[str]] = {
    "accounts.triggers": {"GuardedUpsertTriggerSql"},
    "accounts.validation": {"PlausibleDate", "reject_control_characters"},
}

# Two data migrations of issue 9 archive what existed before the archive through the
# archive's own code, on purpose (their docstrings say why and why it is safe): each runs only
# when the historical models say there is something to archive, so on a fresh database they
# do nothing and later code cannot make them fail. Only these files, only these modules.
DATA_MIGRATIONS: dict[str, set[str]] = {
    "archive/migrations/0006_archive_existing.py": {"archive.intake"},
    "budgets/migrations/0009_archive_approved_versions.py": {"budgets.archiving"},
}


def project_packages() -> set[str]:
    base = Path(settings.BASE_DIR)
    return {path.name for path in base.iterdir() if (path / "__init__.py").exists()}


def migration_files() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    files = []
    for config in apps.get_app_configs():
        folder = Path(config.path).resolve() / "migrations"
        if folder.is_relative_to(base) and folder.is_dir():
            files += sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    return files


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def references_into_the_apps(path: Path, packages: set[str]) -> list[str]:
    """What ``path`` takes from the project's packages outside its own ``migrations``:
    ``module.name`` for each name, or ``module`` alone for an import that is not of a name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    own = f"{path.parent.parent.name}.migrations"
    found: list[str] = []
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the migrations package itself
                continue
            module = node.module or ""
            if module.split(".")[0] in packages and not module.startswith(own):
                found += [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in packages and not alias.name.startswith(own):
                    imported_modules.add(alias.name)
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, ast.Attribute) else None
        if dotted is None:
            continue
        if dotted.rpartition(".")[0] in imported_modules:
            found.append(dotted)
    used_modules = {ref.rpartition(".")[0] for ref in found}
    found += sorted(imported_modules - used_modules)  # imported for its side effects: refused
    return found


def test_the_check_sees_an_import_of_a_constant(tmp_path):
    """The check itself: both import styles of an app constant are reported."""
    folder = tmp_path / "accounts" / "migrations"
    folder.mkdir(parents=True)
    migration = folder / "0099_example.py"
    migration.write_text(
        "import accounts.audit\n"
        "from accounts.audit import CONTEXT_GUARD_SQL\n"
        "from . import helpers\n"
        "SQL = accounts.audit.CONTEXT_GUARD_REVERSE_SQL\n"
    )
    assert sorted(references_into_the_apps(migration, {"accounts"})) == [
        "accounts.audit.CONTEXT_GUARD_REVERSE_SQL",
        "accounts.audit.CONTEXT_GUARD_SQL",
    ]


def test_migrations_import_nothing_from_the_apps_but_the_allowed_references():
    """No migration of the project takes a constant, SQL or function from the apps: only
    the references in ``ALLOWED`` (classes and functions serialised by import path)."""
    packages = project_packages()
    files = migration_files()
    assert len(files) > 10, "no migrations found: the check would pass on nothing"
    refused = []
    for path in files:
        for reference in references_into_the_apps(path, packages):
            module, _, name = reference.rpartition(".")
            relative = str(path.relative_to(settings.BASE_DIR))
            if reference in DATA_MIGRATIONS.get(relative, set()):
                continue
            if name not in ALLOWED.get(module, set()):
                refused.append(f"{path.relative_to(settings.BASE_DIR)}: {reference}")
    assert refused == []


def test_the_allowed_references_are_classes_or_functions():
    """What ``ALLOWED`` lets migrations name is code, never a value."""
    import importlib

    for module, names in ALLOWED.items():
        loaded = importlib.import_module(module)
        for name in names:
            value = getattr(loaded, name)
            assert inspect.isclass(value) or inspect.isfunction(value), f"{module}.{name}"


# sha256 of GuardedUpsertTriggerSql.get_template(): every migration that installs a trigger
# renders it. Changing the template changes what old migrations run: write a new class.
TEMPLATE_SHA256 = "c9b369524e7356292ad6715ff3109cb89d996ae67f447878d0f433a7b8532fc8"


def test_the_trigger_template_is_frozen():
    """The trigger template that migrations reference keeps its text."""
    template = GuardedUpsertTriggerSql.get_template(None)  # type: ignore[arg-type]
    assert hashlib.sha256(template.encode()).hexdigest() == TEMPLATE_SHA256
