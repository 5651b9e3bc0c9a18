"""The party group leader's workspace (seed 004): tasks, notes on members, opinions from the
masses and period summaries."""
