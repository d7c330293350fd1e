"""The platform's codes in words: statuses, steps, roles, reason codes, audit actions and
findings, as English message ids the catalogues translate.

Codes stay codes in the store and the API; only the pages put them in words. A code with no
entry here is shown as it is (with ``_`` as spaces), so a new code never breaks a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creditfactory.web.formatting import rate
from creditfactory.web.i18n import gettext

__all__ = ["N_", "REASONS", "ACTIONS", "FEATURES", "reason", "action", "feature", "findings"]


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark ``message`` for the catalogue; it is translated where it is shown."""
    return message


# Words shown through the ``words`` filter: enum values with ``_`` as spaces.
TERMS = (
    # tiers, decisions, statuses
    N_("auto approve"), N_("remote verification"), N_("field investigation"), N_("reject"),
    N_("open"), N_("claimed"), N_("done"), N_("rejected"), N_("declined"), N_("no bank"),
    N_("approved"), N_("submitted"), N_("pending"), N_("signed"), N_("active"), N_("suspended"),
    N_("in process"), N_("paid out"), N_("closed"), N_("written off"), N_("settled"),
    N_("removed"), N_("expired"), N_("cancelled"), N_("awaiting signature"),
    N_("intake"), N_("findings"), N_("pass"),
    # SLA
    N_("on time"), N_("at risk"), N_("breached"),
    # roles
    N_("account manager"), N_("verifier"), N_("investigator"), N_("approver"),
    N_("risk analyst"), N_("channel manager"), N_("admin"), N_("bank officer"),
    N_("bank system"), N_("system"),
    # offices and stations
    N_("front"), N_("middle"), N_("bank"), N_("back"), N_("front desk"), N_("decision engine"),
    N_("phone verification"), N_("online verification"), N_("investigation review"),
    N_("committee"), N_("back office"),
    # steps
    N_("referral"), N_("pre screen"), N_("application entry"), N_("documents"),
    N_("bureau consent"), N_("data check"), N_("bureau pull"), N_("external data"),
    N_("anti fraud"), N_("policy"), N_("scoring"), N_("tier routing"),
    N_("limit and pricing"), N_("product"), N_("committee approval"), N_("bank package"),
    N_("bank approval"), N_("contract"), N_("payout"), N_("booking and enrolment"),
    # step names as written in the process file
    N_("Referral"), N_("Pre-screen"), N_("Application entry"), N_("Documents"),
    N_("Bureau consent"), N_("Data check"), N_("Bureau pull"), N_("External data"),
    N_("Anti-fraud"), N_("Policy"), N_("Scoring"), N_("Tier routing"),
    N_("Phone verification"), N_("Online verification"), N_("Field investigation"),
    N_("Investigation review"), N_("Limit and pricing"), N_("Product"),
    N_("Committee approval"), N_("Bank package"), N_("Bank approval"), N_("Contract"),
    N_("Payout"), N_("Booking and post-loan enrolment"),
    # hold queues
    N_("bureau unavailable"), N_("registry unavailable"), N_("data exceptions"),
    N_("scoring errors"), N_("payout fraud review"),
    # audit entities
    N_("application"), N_("case"), N_("task"), N_("decision"), N_("user"), N_("session"),
    N_("channel"), N_("blacklist"), N_("loan"), N_("strategy"), N_("personal data"),
    # five-category classes
    N_("normal"), N_("special mention"), N_("substandard"), N_("doubtful"), N_("loss"),
    # segments and arms of the strategy
    N_("intermediary"), N_("insured"), N_("mortgage"), N_("repeat"), N_("standard"),
    N_("champion"), N_("challenger"),
    # fraud bands, grades' words
    N_("low"), N_("medium"), N_("high"), N_("very high"),
    # navigation and field labels set in Python
    N_("Queue"), N_("Cases"), N_("Channels"), N_("Blacklists"), N_("Bank"),
    N_("Early warning"), N_("Intake"),
    N_("Name"), N_("Resident ID"), N_("Phone"), N_("Bank card"), N_("Contact phones"),
    N_("Home address"), N_("Business address"), N_("Device"), N_("IP"),
    N_("Amount"), N_("Term"), N_("Industry"), N_("Channel"), N_("Branch"),
    N_("Declared monthly revenue"), N_("Applied"),
    # the findings form's labels (pages/queue.py)
    N_("Verdict"), N_("Identity confirmed"), N_("Business is real"), N_("Purpose confirmed"),
    N_("Hidden debt (CNY)"), N_("Verified monthly revenue (CNY)"), N_("Note"),
    # the loan book (services/servicing_views.py, servicing/)
    N_("M-bucket"), N_("Five-category class"), N_("repayment"), N_("prepayment"),
    N_("reversal"), N_("booked"), N_("current"), N_("overdue"), N_("paid off"),
    # early warning (monitoring/rules.yaml): levels, dimensions, metrics
    N_("amber"), N_("red"), N_("all"), N_("branch"), N_("industry"), N_("model"),
    N_("dpd30 ratio"), N_("early dpd30 ratio"), N_("npl ratio"), N_("outlook flagged"),
    N_("psi"), N_("roll M0 M1"),
    # channels' deposits and kinds, blacklist kinds
    N_("post"), N_("top up"), N_("refund"), N_("deduct"), N_("agent app"),
    N_("phone"), N_("resident id"), N_("bank card"), N_("device"), N_("ip"), N_("uscc"),
    # the intake form (pages/intake.py): legends, labels, choices, its own messages
    N_("The loan"), N_("The applicant"), N_("The business"), N_("From the agent app"),
    N_("Amount asked (CNY)"), N_("Term (months)"), N_("Purpose"), N_("City"), N_("Gender"),
    N_("Age"), N_("Education"), N_("Marital status"), N_("Years in the city"), N_("Home"),
    N_("Business name"), N_("Unified social credit code"), N_("Years in business"),
    N_("Employees"), N_("Premises"), N_("Consent reference"), N_("Credit-report authorisation"),
    N_("standard business"), N_("insurance policy"), N_("mortgage holder"), N_("repeat customer"),
    N_("working capital"), N_("inventory"), N_("equipment"), N_("store renovation"),
    N_("expansion"), N_("receivables gap"), N_("M"), N_("F"), N_("junior high"),
    N_("high school"), N_("vocational"), N_("college"), N_("bachelor"), N_("master"),
    N_("single"), N_("married"), N_("divorced"), N_("widowed"), N_("own outright"),
    N_("own mortgage"), N_("rent"), N_("family"), N_("owned shop"), N_("rented shop"),
    N_("market stall"), N_("home based"), N_("factory"), N_("office"), N_("equal instalment"),
    N_("not an industry code of the list (GB/T 4754)"),
    N_("the applicant must sign the credit-report authorisation first"),
    N_("the reference of the signed authorisation"),
    N_("not a valid 18-character resident ID"), N_("not a mainland mobile number"),
    N_("not a valid bank card number"), N_("not a valid unified social credit code"),
    N_("must be mainland mobile numbers joined with ','"), N_("must be positive"),
    N_("Field required"),
    # messages raised by the pages themselves
    N_("no such page"), N_("wrong username or password"),
    N_("the form has expired or did not come from this site; reload the page"),
    # the approval form (pages/cases.py, domain/approval.py): labels, verdicts, committee
    # reasons and the refusals it shows
    N_("Limit (CNY)"), N_("Yearly rate (per cent)"), N_("Reasons to decline"), N_("approve"),
    N_("approve changed"), N_("decline"), N_("refer"), N_("referred by approver"),
    N_("approved what the machine declines"), N_("limit above the machine"),
    N_("rate below the machine"), N_("choose at least one reason"), N_("unknown reason"),
    N_("say what the committee should decide"), N_("enter an amount"),
    N_("enter a yearly rate in per cent"), N_("at most two decimal places"),
    N_("at most 2000 characters"), N_("the decision declines: approve with a limit and a rate"),
    # collections: treatments, teams, reasons, contact outcomes, actions and their states
    N_("call"), N_("sms"), N_("visit"), N_("restructure"), N_("legal letter"), N_("lawsuit"),
    N_("agency"), N_("field"), N_("workout"), N_("legal"), N_("auto"), N_("oversight"),
    N_("shortfall"), N_("business failure"), N_("strategic"), N_("fraud"), N_("unknown"),
    N_("reached"), N_("no answer"), N_("wrong number"), N_("promised"), N_("letter"),
    N_("contact"), N_("promise"), N_("promise kept"), N_("promise broken"),
    N_("restructure proposed"), N_("restructure approved"), N_("restructure rejected"),
    N_("episode ended"), N_("assigned"), N_("proposed"), N_("kept"), N_("broken"),
    N_("collector"), N_("New term"),
    # user administration's refusals; channels' packaging evidence
    N_("the two passwords differ"), N_("choose disable or enable"),
    N_("declared revenue just above a round threshold"),
    N_("application identical to another of the channel (purpose, premises, staff, amount)"),
    N_("amount at the product maximum"), N_("known early default not attributed to fraud"),
    N_("flagged as a fraud-ring member by the identity graph"),
    N_("verification found the declared revenue overstated"),
    N_("verification found the business not real"),
    N_("verification could not confirm the identity"),
)

REASONS: dict[str, str] = {
    "P01_AGE_MIN": N_("applicant younger than 22"),
    "P02_AGE_MAX": N_("applicant older than 60"),
    "P03_NOT_LOCAL": N_("lived in the branch city under a year"),
    "P04_OVERDUE_6M": N_("more than two overdues in 6 months"),
    "P05_OVERDUE_12M": N_("more than four overdues in 12 months"),
    "P06_OVERDUE_24M": N_("more than six overdues in 24 months"),
    "P07_SEVERE_DPD": N_("ever more than 90 days past due"),
    "P08_INQUIRIES_1M": N_("more than 5 bureau inquiries in a month"),
    "P09_INQUIRIES_3M": N_("more than 6 bureau inquiries in 3 months"),
    "P10_INQUIRIES_6M": N_("more than 10 bureau inquiries in 6 months"),
    "P11_UTILISATION": N_("card utilisation above 110 per cent"),
    "P12_MANY_LENDERS": N_("more than 8 open loans (borrowing from many lenders)"),
    "P13_EXCLUDED_INDUSTRY": N_("industry outside appetite (real estate, finance, mining, entertainment)"),
    "P14_AMOUNT_LOW": N_("amount asked below 100,000"),
    "P15_AMOUNT_HIGH": N_("amount asked above 500,000"),
    "P16_TERM_RANGE_LOW": N_("term under 6 months"),
    "P17_TERM_RANGE_HIGH": N_("term over 48 months"),
    "P18_YOUNG_BUSINESS": N_("business younger than one year"),
    "P19_LOW_REVENUE": N_("declared revenue under 20,000 a month"),
    "P20_NO_IDENTITY": N_("resident ID missing"),
    "P21_BLACKLIST": N_("phone, ID, bank card, device, IP or business on the internal blacklist"),
    "SCORE_MISSING": N_("the scorecard could not score the application"),
    "SCORE_BELOW_CUTOFF": N_("risk grade below the cut-off"),
    "NO_PRODUCT": N_("no product fits the application"),
    "LIMIT_BELOW_MINIMUM": N_("repayment capacity below the smallest loan"),
    "CHALLENGER_DISAGREES": N_("the challenger model disagrees with the scorecard"),
    "FRAUD_RULES_HIT": N_("a fraud rule fired"),
    "NO_TIER_MATCH": N_("no approval tier matches"),
    "NEEDS_FIELD_VISIT": N_("risk grade needs a field visit"),
    "FRAUD_SIGNAL_VISIT": N_("fraud signal: a field visit is needed"),
    "RISK_BEYOND_APPETITE": N_("risk beyond the lender's appetite"),
    "FRAUD_BAND_VERY_HIGH": N_("fraud score very high"),
    "IMP_ID_REUSED": N_("resident ID seen before, with other phones, devices, cards and addresses"),
    "IMP_AGE_MISMATCH": N_("declared age disagrees with the birth date in the resident ID"),
    "CONTACT_KNOWN_BAD": N_("a contact phone links to a known-bad application"),
    "BLACKLIST": N_("a phone, device, card, company or ID of a known-bad application"),
    "VELOCITY": N_("many linked applications in the last 7 days"),
    "LOW_REVENUE": N_("declared revenue too low"),
    "HUMAN_IDENTITY_DOUBT": N_("the applicant's identity is in doubt"),
    "HUMAN_BUSINESS_DOUBT": N_("the business is not what was declared"),
    "HUMAN_PURPOSE_DOUBT": N_("the loan's purpose is not credible"),
    "HUMAN_HIDDEN_DEBT": N_("hidden debts found"),
    "HUMAN_REPAYMENT_CAPACITY": N_("cannot repay from the business's income"),
    "HUMAN_FRAUD_SUSPICION": N_("suspected fraud"),
    "HUMAN_DOCUMENTS": N_("documents missing or not genuine"),
    "HUMAN_OTHER": N_("other reason (see the note)"),
}

ACTIONS: dict[str, str] = {
    "application.submit": N_("submission refused"),
    "application.submitted": N_("application submitted"),
    "approval.referred": N_("sent to the committee"),
    "approval.terms_applied": N_("approver's terms applied"),
    "approver.declined": N_("declined by the approver"),
    "committee.approved": N_("approved by the committee"),
    "committee.declined": N_("declined by the committee"),
    "bank.answer": N_("bank answer refused"),
    "bank.submitted": N_("sent to the bank"),
    "blacklist.add": N_("added to the blacklist"),
    "blacklist.remove": N_("removed from the blacklist"),
    "case.advanced": N_("case moved on"),
    "case.held": N_("case held"),
    "channel.deposit": N_("channel deposit moved"),
    "contract.code_sent": N_("signing code sent"),
    "contract.generated": N_("contract written"),
    "contract.signature_refused": N_("signature refused"),
    "contract.signed": N_("contract signed"),
    "data_check.findings": N_("registry data checked"),
    "decision.revised": N_("decision revised"),
    "personal_data.reveal": N_("personal data refused"),
    "personal_data.revealed": N_("personal data shown"),
    "session.ended": N_("signed out"),
    "session.opened": N_("signed in"),
    "task.claim": N_("task claim refused"),
    "task.claimed": N_("task claimed"),
    "task.complete": N_("task completion refused"),
    "task.completed": N_("task completed"),
    "user.added": N_("user added"),
    "user.deactivated": N_("user disabled"),
    "user.password_set": N_("password set"),
    "user.reactivated": N_("user enabled"),
    "user.role_changed": N_("role changed"),
}

FEATURES: dict[str, str] = {  # the A-card's characteristics (models/acard.py)
    "amount": N_("amount asked"),
    "term_months": N_("term"),
    "age": N_("age"),
    "years_in_city": N_("years in the city"),
    "years_in_business": N_("years in business"),
    "employees": N_("employees"),
    "declared_monthly_revenue": N_("declared monthly revenue"),
    "bureau_cards": N_("credit cards on the bureau report"),
    "bureau_utilisation": N_("credit card utilisation"),
    "bureau_loans": N_("open loans on the bureau report"),
    "bureau_debt": N_("debt on the bureau report"),
    "overdue_count_6m": N_("overdues in 6 months"),
    "overdue_count_12m": N_("overdues in 12 months"),
    "overdue_count_24m": N_("overdues in 24 months"),
    "max_dpd_ever": N_("worst days past due ever"),
    "inquiries_1m": N_("bureau inquiries in a month"),
    "inquiries_3m": N_("bureau inquiries in 3 months"),
    "inquiries_6m": N_("bureau inquiries in 6 months"),
    "has_mortgage": N_("has a mortgage"),
    "has_car_loan": N_("has a car loan"),
    "has_insurance_policy": N_("has an insurance policy"),
    "insurance_annual_premium": N_("annual insurance premium"),
    "loan_to_annual_revenue": N_("loan against annual revenue"),
    "debt_to_annual_revenue": N_("debt against annual revenue"),
    "instalment_to_revenue": N_("instalment against monthly revenue"),
    "premium_to_annual_revenue": N_("insurance premium against annual revenue"),
    "channel_type": N_("kind of channel"),
    "city": N_("city"),
    "product_requested": N_("product asked for"),
    "purpose": N_("purpose of the loan"),
    "education": N_("education"),
    "marital_status": N_("marital status"),
    "home_ownership": N_("home ownership"),
    "industry_section": N_("industry section"),
    "premises": N_("business premises"),
}

FINDING_LABELS: dict[str, str] = {
    "verdict": N_("verdict"),
    "identity_confirmed": N_("identity confirmed"),
    "business_real": N_("business is real"),
    "purpose_confirmed": N_("purpose confirmed"),
    "hidden_debt": N_("hidden debt (CNY)"),
    "verified_monthly_revenue": N_("verified monthly revenue (CNY)"),
    "note": N_("note"),
    "reason": N_("reason"),
    "from": N_("from"),
    "to": N_("to"),
    "step": N_("step"),
    "tier": N_("tier"),
    "amount": N_("amount"),
    "channel": N_("channel"),
    "resident_id": N_("resident ID"),
    "held_in": N_("held in"),
    "passed": N_("passed"),
    "status": N_("status"),
    "waiting_at": N_("waiting at"),
    "bank_code": N_("bank"),
    "limit": N_("limit"),
    "rate": N_("rate"),
    "why": N_("why"),
    "approver": N_("approver"),
    "machine_tier": N_("engine's tier"),
    "machine_limit": N_("engine's limit"),
    "machine_rate": N_("engine's rate"),
    "reasons": N_("reasons"),
    "outcome": N_("outcome"),
}


def reason(code: Any) -> str:
    """A reason code in words (the code itself when it has none)."""
    text = REASONS.get(str(code))
    return gettext(text) if text else str(code)


def feature(name: Any) -> str:
    """A scorecard characteristic in words."""
    text = FEATURES.get(str(name))
    return gettext(text) if text else str(name).replace("_", " ")


def action(name: Any) -> str:
    """An audit action in words."""
    text = ACTIONS.get(str(name))
    return gettext(text) if text else str(name).replace("_", " ").replace(".", ": ")


def _value(value: Any) -> str:
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(_pair(k, v) for k, v in value.items())
    if isinstance(value, str) and value in REASONS:
        return gettext(REASONS[value])
    if isinstance(value, str) and value.isidentifier() and value.islower():
        return gettext(value.replace("_", " "))
    return str(value)


def _label(key: Any) -> str:
    text = FINDING_LABELS.get(str(key))
    return gettext(text) if text else str(key).replace("_", " ")


RATE_KEYS = frozenset(("rate", "machine_rate"))
"""Detail keys holding a yearly rate as a fraction (shown as a percentage)."""


def _pair(key: Any, value: Any) -> str:
    if key in RATE_KEYS and isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = rate(value)
    else:
        shown = _value(value)
    return gettext(N_("%(label)s: %(value)s")) % {"label": _label(key), "value": shown}


def findings(detail: Any) -> str:
    """An audit detail or a task's outcome in words: ``identity confirmed: yes; verdict: pass``
    instead of a Python dict."""
    if not detail:
        return ""
    if not isinstance(detail, Mapping):
        return str(detail)
    return gettext("; ").join(_pair(k, v) for k, v in sorted(detail.items()))
