from scigan.cli import main

raise SystemExit(main())
