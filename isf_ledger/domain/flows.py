"""What the legs of each money event on a fund mean: the lines of a statement.

Keyed by the event's type as it is stored (`Aggregate.Event`), so a report
reads a leg's meaning from the ledger rather than guessing it from a name.
Every event that carries legs is listed (`tests/unit/test_flows.py` checks);
a leg of any other type would show as "other".
"""

from __future__ import annotations

PAYMENT_MADE = "Schedule.PaymentMade"
PAYMENT_REVERSED = "Schedule.PaymentReversed"
HOURS_CORRECTED = "Agreement.HoursCorrected"
COST_REVERSED = "Agreement.CostReversed"
TOPUP_REVERSED = "TopUp.TopUpReversed"
CORRECTIONS = (HOURS_CORRECTED, COST_REVERSED, TOPUP_REVERSED)

FLOWS = {
    PAYMENT_MADE: "payments_in",
    PAYMENT_REVERSED: "payments_in",
    "TopUp.TopUpReceived": "top_ups_in",
    TOPUP_REVERSED: "top_ups_in",
    "Contribution.ContributionReceived": "contributions_in",
    "Agreement.HoursRecorded": "charges_hours",
    "Agreement.FlexApprovedAfterHours": "charges_hours",
    HOURS_CORRECTED: "charges_hours",
    "Agreement.CostRecorded": "charges_other",
    COST_REVERSED: "charges_other",
    "Agreement.SurplusRecovered": "recovered",
    "Card.SurplusRecovered": "recovered",
}


def flow_of(event_type: str) -> str:
    """The statement line an event's legs on a fund belong to."""
    return FLOWS.get(event_type, "other")
