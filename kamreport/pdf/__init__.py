"""PDF: the only place that uses WeasyPrint, pydyf, cffi, fontTools and HarfBuzz (SPEC §6, §8)."""
