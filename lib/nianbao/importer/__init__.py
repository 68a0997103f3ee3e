"""`nianbao import`: published reports (text, a portal's text view, HTML, Word, PDF) read back
into data files, with the edition as the map."""
