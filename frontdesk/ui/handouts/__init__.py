"""The Handouts area, "Give handouts" from a chart, and the chart's "Handouts given" tab."""
