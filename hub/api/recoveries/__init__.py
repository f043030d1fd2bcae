"""Recoveries (追回) of over-paid subsidies: types, queries, mutations."""
