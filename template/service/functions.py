"""The business logic of this service: pure functions from DataFrames to DataFrames.

Nothing here talks to CDP or touches files, so each function can be tested with a few
hand-written rows (see the test file next to this one).
"""

import pandas as pd

# The columns of the summary this service uploads to CDP. `id` is the customer key CDP
# matches on; the others are the values agreed with CDP for this service.
SUMMARY_COLUMNS = ["id", "frequency", "monetary", "last_seen"]


def summarize_customers(events: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: how many events, their total amount, and when the last one was.

    `events` is CDP input: `_id` (event id), `id` (customer id), `amount`, and `date`
    like "2025-09-11 13:07:38". CDP pages by customer, so all of a customer's events
    arrive in the same page and a page can be summarized on its own.
    """
    amounts = pd.to_numeric(events["amount"], errors="coerce").fillna(0)
    dates = pd.to_datetime(events["date"], format="%Y-%m-%d %H:%M:%S")
    summary = (
        events.assign(amount=amounts, date=dates)
        .groupby("id", sort=True)
        .agg(frequency=("_id", "count"), monetary=("amount", "sum"), last_seen=("date", "max"))
        .reset_index()
    )
    summary["last_seen"] = summary["last_seen"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return summary[SUMMARY_COLUMNS]
