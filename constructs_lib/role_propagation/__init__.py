from constructs_lib.role_propagation.construct import DEFAULT_ROLE_PROPAGATION, RolePropagationWait, RolePropagationWaitProps

__all__ = ["DEFAULT_ROLE_PROPAGATION", "RolePropagationWait", "RolePropagationWaitProps"]
