"""Demo data for Threatwatch: a realistic taxonomy, incidents and glossary."""
