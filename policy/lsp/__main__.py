from policy.lsp.server import main

main()
