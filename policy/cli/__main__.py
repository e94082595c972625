from policy.cli.main import main

raise SystemExit(main())
