"""The office set: the public page as a PDF and as a Word file (both made from the page's
blocks), and the Excel workbook a clerk fills (`nianbao template`)."""
