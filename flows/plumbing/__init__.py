"""The run's plumbing: helper processes, the optional-Prefect layer, task runners, reading batches, and
the run with its lock and transaction. The flows beside this folder read as their steps."""
