"""The output folder as a site: run.json (each unit's record), where every output goes, the
county-years' index, summary and peers pages, navigation, search and open data."""
