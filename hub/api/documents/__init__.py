"""HTTP routes for documents: PDFs and XLSX exports (bearer auth, scoped) and public verification."""
