"""Library booking and staffing scheduler."""
