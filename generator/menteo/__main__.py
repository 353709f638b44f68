from menteo.cli import main

main()
