"""How good a roster is, in words a section leader can use: the solver's lower bound
says no roster of this period can score below it, so (score − bound) / score is the
most that could still be gained."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import RosterPeriod, RosterRun


@dataclass(frozen=True)
class Quality:
    total: int  # the roster's score now (lower is better)
    bound: int | None  # no roster of the period scores lower (from the last solver run)

    @property
    def gap(self) -> float | None:
        """The share of the score that could at most still be gained (0 = proven best);
        None without a bound. Edits may beat a bound from a run with pins: then 0."""
        if self.bound is None:
            return None
        if self.total <= 0 or self.total <= self.bound:
            return 0.0
        return (self.total - max(self.bound, 0)) / self.total

    @property
    def percent(self) -> int | None:
        """The gap as whole per cent, rounded up (never claims more than is proven)."""
        return None if self.gap is None else math.ceil(round(self.gap * 100, 6))


def roster_quality(session: Session, period: RosterPeriod, total: int) -> Quality:
    bound = session.scalar(
        select(RosterRun.bound)
        .where(
            RosterRun.period_id == period.id,
            RosterRun.applied_at.is_not(None),
            RosterRun.bound.is_not(None),
        )
        .order_by(RosterRun.applied_at.desc(), RosterRun.id.desc())
        .limit(1)
    )
    return Quality(total, bound)
