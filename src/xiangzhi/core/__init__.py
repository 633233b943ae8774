"""Shared parts every module uses: clock, errors, request context, encrypted fields, money, files, PDFs,
tasks and periodic jobs, notifications, departments, the working-day calendar."""
