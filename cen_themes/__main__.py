from cen_themes.cli import main

if __name__ == "__main__":
    main()
