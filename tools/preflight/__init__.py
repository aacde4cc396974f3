"""`make preflight`: read-only checks of the target subscription before a deploy (README "How to deploy")."""
