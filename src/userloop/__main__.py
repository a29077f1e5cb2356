from userloop.cli.main import main

main()
