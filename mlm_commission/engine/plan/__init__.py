"""Plans as versioned data: schema, validation and the compiled model."""
from .loader import load_plan, read_plan
from .model import NO_RANK, PlanSet, PlanVersion

__all__ = ['NO_RANK', 'PlanSet', 'PlanVersion', 'load_plan', 'read_plan']
