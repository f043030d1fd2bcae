"""Documents the hub produces: training proofs, the notices' forms (PDF) and XLSX exports."""
