"""Datasets of many runs: stills, sequences, stereo pairs, multiview rings (docs/dataset.md).

``jobs`` (what a dataset is and the jobs it plans), ``manifest`` (the JSONL log
and done / failed / pending), ``runners`` (``generate_dataset``: lock, plan, run,
stop), ``worker`` (one job in a worker process), ``local`` (the local process
runner), ``ray_runner`` (Ray, and the bounded connection check), ``stop`` (signal
handling), ``shards`` (WebDataset tar shards), ``loader`` (reading shards back,
and a torch ``IterableDataset``); the command is ``wildsynth/cli/dataset.py``.
Import the module you need; this package imports nothing heavy by itself.
"""
