"""The roles of the protocol, declared in code.

Prot. 10 §3 names the functions involved (Amministratore Unico, Direttore, Coordinatore);
DESIGN.md adds the OdV, the Sindaco Unico, the Operatori and the Gestore utenti who manages
accounts without seeing business data. Each role is a Django group whose permissions are
exactly the codenames below, applied by ``manage.py sync_roles`` (also run after migrate).
Later apps add their codenames here: this file is the one place to read who may do what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import perms


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

# Codenames of business apps are written out (not imported) so that accounts, the ground
# floor, imports no app above it; tests check every codename exists.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AMMINISTRATORE_UNICO: frozenset(
        {
            perms.VIEW_AUDIT_LOG,
            perms.VIEW_SYSTEM_STATUS,
            # services: all, read; emergencies handled with the Direttore (Prot. 10 §5.1)
            "services.view_all_services",
            "services.view_emergency",
            "services.view_statement",
            # budgets: read all, approve or return (Prot. 10 §5.2)
            "budgets.view_all_budgets",
            "budgets.approve_budget",
        }
    ),
    Role.DIRETTORE: frozenset(
        {
            "services.view_all_services",
            "services.manage_all_services",
            "services.view_emergency",
            "services.add_emergency",
            "services.change_emergency",
            "services.view_statement",
            "services.issue_statement",
            "budgets.view_all_budgets",
            "budgets.build_budget",
            "budgets.submit_budget",
            # The managed lists behind hour plans and other costs, kept in the admin.
            "services.view_qualification",
            "services.add_qualification",
            "services.change_qualification",
            "budgets.view_costcategory",
            "budgets.add_costcategory",
            "budgets.change_costcategory",
        }
    ),
    # Coordinatori and Operatori see their own services through object permissions granted
    # by service assignments (services.actions), not through their role.
    Role.COORDINATORE: frozenset(),
    Role.ODV: frozenset(
        {
            perms.VIEW_AUDIT_LOG,
            "services.view_all_services",
            "services.view_statement",
            "budgets.view_all_budgets",
        }
    ),
    Role.SINDACO: frozenset({"budgets.view_all_budgets"}),
    Role.OPERATORE: frozenset(),
    # Users and role assignments only: no business data, no audit log, never superuser.
    Role.GESTORE_UTENTI: frozenset(
        {
            perms.VIEW_SYSTEM_STATUS,
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_roleassignment",
            "accounts.add_roleassignment",
            "accounts.change_roleassignment",
            # Unlock an account locked by repeated failed logins.
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        }
    ),
}

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
# approves what the Direttore proposes, Prot. 10 §5.2).
OPERATIONAL_ROLES = frozenset(
    {Role.AMMINISTRATORE_UNICO, Role.DIRETTORE, Role.COORDINATORE, Role.OPERATORE}
)
INCOMPATIBLE_ROLES: frozenset[frozenset[str]] = frozenset(
    {
        *(frozenset({Role.ODV, role}) for role in OPERATIONAL_ROLES),
        *(frozenset({Role.SINDACO, role}) for role in OPERATIONAL_ROLES | {Role.ODV}),
        frozenset({Role.AMMINISTRATORE_UNICO, Role.DIRETTORE}),
    }
)


def incompatible_with(role: str) -> frozenset[str]:
    """The roles that the holder of ``role`` may not hold in an overlapping period."""
    return frozenset(
        other for pair in INCOMPATIBLE_ROLES if role in pair for other in pair - {role}
    )
