"""The roles of the protocol, declared in code.

Prot. 10 §3 names the functions involved (Amministratore Unico, Direttore, Coordinatore);
DESIGN.md adds the OdV, the Sindaco Unico, the Operatori and the Gestore utenti who manages
accounts without seeing business data. Each role is a Django group whose permissions are
exactly the codenames that the apps grant it, applied by ``manage.py sync_roles`` (also run
after migrate). Each app declares the grants for its own models in ``<app>/permissions.py``
(``ROLE_GRANTS``), and :func:`role_permissions` collects them: this file knows the roles, the
apps know what their roles may do with their records.
"""

from importlib import import_module

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AMMINISTRATORE_UNICO = "amministratore_unico", _("Amministratore Unico")
    DIRETTORE = "direttore", _("Direttore")
    COORDINATORE = "coordinatore", _("Coordinatore")
    ODV = "odv", _("Organismo di Vigilanza")
    SINDACO = "sindaco", _("Sindaco Unico")
    OPERATORE = "operatore", _("Operatore")
    GESTORE_UTENTI = "gestore_utenti", _("Gestore utenti")


# Group names are stable identifiers shown in the admin; they never change with the language.
GROUP_NAMES: dict[str, str] = {
    Role.AMMINISTRATORE_UNICO: "Amministratore Unico",
    Role.DIRETTORE: "Direttore",
    Role.COORDINATORE: "Coordinatore",
    Role.ODV: "OdV",
    Role.SINDACO: "Sindaco Unico",
    Role.OPERATORE: "Operatore",
    Role.GESTORE_UTENTI: "Gestore utenti",
}


def role_permissions() -> dict[str, frozenset[str]]:
    """Each role's permissions: the union of the ``ROLE_GRANTS`` every installed app declares.

    Each app declares, in its policy file ``<app>/permissions.py``, what each role may do with
    its own models (``ROLE_GRANTS: dict[str, frozenset[str]]``, keyed by ``Role`` value), so
    the ground floor names no app above it and a new app edits nothing here. Read through the
    app registry at call time (``manage.py sync_roles``), never at import. Every role is in
    the result, with an empty set when no app grants it anything.
    """
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import module_has_submodule

    collected: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "permissions"):
            continue
        grants = getattr(import_module(f"{config.name}.permissions"), "ROLE_GRANTS", None)
        if grants is None:
            continue
        for role, codenames in grants.items():
            if role not in collected:
                raise ImproperlyConfigured(
                    f"{config.name}.permissions grants unknown role {role!r}"
                )
            collected[role] |= set(codenames)
    return {role: frozenset(codenames) for role, codenames in collected.items()}


# Roles whose holders work in the Django admin (is_staff is derived from this): the Gestore
# utenti for users, the Direttore for the managed lists (qualifications, cost categories).
STAFF_ROLES = frozenset({Role.GESTORE_UTENTI, Role.DIRETTORE})

# -- Governing roles and their confirmation (issue 6, item 3) ---------------------------------
# The roles that govern the Modello take effect only after a second person confirms them in
# the app: the Amministratore Unico confirms the Direttore, the OdV, the Sindaco Unico and the
# Gestore utenti; the Sindaco Unico (the statutory auditor) confirms a new Amministratore
# Unico. The confirmer is never the requester nor the person concerned. The very first AU of
# an installation comes from ``manage.py bootstrap_au``, run on the server.
GOVERNING_ROLES = frozenset(
    {
        Role.AMMINISTRATORE_UNICO,
        Role.DIRETTORE,
        Role.ODV,
        Role.SINDACO,
        Role.GESTORE_UTENTI,
    }
)
CONFIRMED_BY: dict[str, str] = {
    Role.AMMINISTRATORE_UNICO: Role.SINDACO,
    Role.DIRETTORE: Role.AMMINISTRATORE_UNICO,
    Role.ODV: Role.AMMINISTRATORE_UNICO,
    Role.SINDACO: Role.AMMINISTRATORE_UNICO,
    Role.GESTORE_UTENTI: Role.AMMINISTRATORE_UNICO,
}
CONFIRMER_ROLES = frozenset(CONFIRMED_BY.values())

# -- Segregation of duties (DESIGN.md; enforced by a trigger on accounts_roleassignment) -------
# Pairs of roles one person may not hold in overlapping periods: the OdV holds no operational
# role (D.Lgs. 231/2001 art. 6: autonomy and independence of the supervisory body), nor does
# the Sindaco Unico, who is not OdV either; the AU and the Direttore are two people (the AU
# approves what the Direttore proposes, Prot. 10 §5.2), and the AU holds no role below them.
OPERATIONAL_ROLES = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.COORDINATORE, Role.OPERATORE}
)
INCOMPATIBLE_ROLES: frozenset[frozenset[str]] = frozenset(
    {
        *(frozenset({Role.ODV, role}) for role in OPERATIONAL_ROLES),
        *(frozenset({Role.SINDACO, role}) for role in OPERATIONAL_ROLES | {Role.ODV}),
        frozenset({Role.AMMINISTRATORE_UNICO, Role.DIRETTORE}),
        # The AU approves budgets whose hour plans Coordinatori build from what Operatori
        # record: she holds neither role (attacker review, issue 7).
        frozenset({Role.AMMINISTRATORE_UNICO, Role.COORDINATORE}),
        frozenset({Role.AMMINISTRATORE_UNICO, Role.OPERATORE}),
    }
)


def incompatible_with(role: str) -> frozenset[str]:
    """The roles that the holder of ``role`` may not hold in an overlapping period."""
    return frozenset(
        other for pair in INCOMPATIBLE_ROLES if role in pair for other in pair - {role}
    )
