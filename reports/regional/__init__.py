"""The city's halls side by side: regions, the regional role, ranking, bulletin (issue 15.3)."""
