"""Running the township notebook for many units: params → units → jobs on a local pool or
Dask → pages written by the client, run.json, and the county's index and summary."""
