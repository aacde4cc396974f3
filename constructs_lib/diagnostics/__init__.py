from constructs_lib.diagnostics.construct import (
    ClusterDiagnostics,
    ClusterDiagnosticsProps,
    LogAnalytics,
    LogAnalyticsProps,
)

__all__ = ["ClusterDiagnostics", "ClusterDiagnosticsProps", "LogAnalytics", "LogAnalyticsProps"]
