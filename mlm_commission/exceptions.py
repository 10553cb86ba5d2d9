# This file is part of the MLM suite. See LICENSE for details.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class VolumeImmutableError(AccessError):
    pass


class PlanError(ValidationError):
    pass


class PlanVersionLockedError(AccessError):
    pass


class PeriodError(UserError):
    pass


class PeriodClosedError(AccessError):
    pass


class LineImmutableError(AccessError):
    pass


class ApprovalError(UserError):
    pass


class SettlementError(UserError):
    pass
