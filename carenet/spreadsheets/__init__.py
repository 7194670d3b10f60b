"""Imports and exports of the registry as spreadsheets (CSV and XLSX)."""
