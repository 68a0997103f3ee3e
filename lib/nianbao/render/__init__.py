"""What a report shows: the official tables, charts, prose and the notebook's section helpers,
and the export of an executed notebook to the review and public pages."""
