"""行政执法: the town's inspections, findings, decisions, legal review and 执法公示."""
