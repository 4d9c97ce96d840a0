"""Pure analyses over the projects and territories: coverage, metrics, class breaks."""
