// Notifications: routing, grouping and the channels (Slack, email, webhook, Alertmanager).
export type { Alert, AlertImpact, DiagnosticFinding, NotifiedState, ResolveReason, Severity, ValueAtRisk } from './alert.ts'
