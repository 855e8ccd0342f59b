"""Print the analysts' data dictionary from the warehouse's COMMENTs (paste it into the README)."""

from redcross.warehouse.dictionary import fresh_dictionary

if __name__ == "__main__":
    print(fresh_dictionary())
