"""The top-level items of a data file, as plain names, and the YAML loader to find them with:
light to import, so that the batch's client can tell params files from data files without
importing the readers (pandas)."""
import yaml

# libyaml's parser where installed: ten times faster than the pure-Python one, same nodes
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
META_REQUIRED = ("unit", "short_name", "county", "year")
META_OPTIONAL = ("level", "edition", "published", "demo", "source")
# import_notes: what `nianbao import` noticed about the page it read (deviations, ambiguous
# splits with their candidates); for people, ignored by the reader.
TOP_LEVEL = (*META_REQUIRED, *META_OPTIONAL, "narrative", "proactive", "requests", "appeals", "import_notes")
