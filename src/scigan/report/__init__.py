"""The run report: ``scigan report RUN`` writes ``RUN/report.html`` with its plots in
``RUN/report/`` (see :func:`scigan.report.html.write_report`)."""
