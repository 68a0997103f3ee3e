"""What a report is: the official editions (data files in editions/), the Report, the Finding."""
