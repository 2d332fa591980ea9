from kamxl.cli import main

main()
