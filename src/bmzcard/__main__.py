from bmzcard.cli.app import main

main()
