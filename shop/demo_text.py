"""Text and catalog templates for the demo data generator (``python -m shop.demo``).

Everything here is data: the product categories per content type (brands, title patterns, specs, price ranges),
the customers' interest themes that span content types, cross-type complements, the help articles shown to
customers and the services. ``shop.demo`` turns these into rows; nothing here touches the database.

Brands are invented so that the demo never claims specs for real products.
"""
from __future__ import annotations

import random

# --- shop rules (the help articles state them; the shop services enforce them) ----------------------------------
RETURN_WINDOW_DAYS = 30

# --- product categories ------------------------------------------------------------------------------------------
# Per category: weight (share of the content type's items), price range (EUR, log-uniform), brands, title nouns,
# and spec choices (attributes). Clothing categories additionally say which size system they use.
CATEGORIES: dict[str, dict[str, dict]] = {
    "books": {
        "novels": dict(w=5, price=(8, 28), nouns=["A Novel"], specs={}),
        "fantasy": dict(w=4, price=(9, 32), nouns=["Book One", "Book Two", "A Fantasy Novel"], specs={}),
        "photography books": dict(w=1.5, price=(18, 60), nouns=["A Field Guide", "The Photographer's Handbook"],
                                  specs={}),
        "cookbooks": dict(w=2, price=(15, 45), nouns=["Recipes for Every Day", "100 Recipes", "A Cookbook"], specs={}),
        "travel guides": dict(w=1.5, price=(12, 30), nouns=["Travel Guide", "Pocket Guide"], specs={}),
        "business books": dict(w=1.5, price=(14, 38), nouns=["Work Smarter", "A Practical Guide"], specs={}),
        "fitness books": dict(w=1, price=(12, 30), nouns=["Train Better", "A Runner's Guide"], specs={}),
        "children's books": dict(w=2, price=(6, 20), nouns=["A Picture Book", "Bedtime Stories"], specs={}),
    },
    "electronics": {
        "cameras": dict(w=2, price=(220, 1900), nouns=["Compact Camera", "Mirrorless Camera", "Travel Zoom Camera"],
                        specs={"megapixels": [20, 24, 26, 33, 45], "zoom": ["3x", "5x", "15x", "30x"]}),
        "lenses": dict(w=1.5, price=(150, 1400), nouns=["35mm f/1.8 Lens", "50mm f/1.4 Lens", "24-70mm f/2.8 Lens",
                                                         "70-300mm Zoom Lens"],
                       specs={"mount": ["K-mount", "Z-mount"]}),
        "camera bags": dict(w=1, price=(25, 160), nouns=["Camera Sling Bag", "Camera Backpack", "Shoulder Camera Bag"],
                            specs={"capacity_l": [6, 10, 16, 22]}),
        "memory cards": dict(w=1, price=(9, 90), nouns=["SD Card", "microSD Card"],
                             specs={"capacity_gb": [64, 128, 256, 512], "speed": ["V30", "V60", "V90"]}),
        "laptops": dict(w=2, price=(550, 2400), nouns=["Laptop", "Ultrabook", "Creator Laptop"],
                        specs={"screen_in": [13.3, 14, 15.6, 16], "ram_gb": [8, 16, 32],
                               "storage_gb": [256, 512, 1024]}),
        "monitors": dict(w=1.5, price=(130, 900), nouns=["Monitor", "4K Monitor", "Curved Monitor"],
                         specs={"screen_in": [24, 27, 32, 34], "refresh_hz": [60, 75, 144, 165]}),
        "keyboards": dict(w=1.5, price=(25, 190), nouns=["Mechanical Keyboard", "Wireless Keyboard", "Wireless Mouse"],
                          specs={"connection": ["USB-C", "Bluetooth", "2.4 GHz receiver"]}),
        "headphones": dict(w=2.5, price=(25, 380), nouns=["Wireless Headphones", "Noise-Cancelling Headphones",
                                                          "Wireless Earbuds", "Sport Earbuds"],
                           specs={"battery_h": [20, 30, 40, 60], "anc": [True, False]}),
        "speakers": dict(w=1.5, price=(35, 450), nouns=["Bluetooth Speaker", "Smart Speaker", "Soundbar"],
                         specs={"power_w": [10, 20, 40, 120]}),
        "smartphones": dict(w=2, price=(190, 1300), nouns=["Smartphone", "5G Smartphone"],
                            specs={"storage_gb": [128, 256, 512], "screen_in": [6.1, 6.4, 6.7]}),
        "phone cases": dict(w=2, price=(9, 45), nouns=["Phone Case", "Rugged Phone Case", "Wallet Phone Case"],
                            specs={"material": ["silicone", "leather", "TPU"]}),
        "chargers": dict(w=1.5, price=(12, 80), nouns=["USB-C Charger", "Power Bank", "Wireless Charging Pad"],
                         specs={"power_w": [20, 30, 65, 100]}),
        "smartwatches": dict(w=1.5, price=(80, 650), nouns=["Smartwatch", "GPS Running Watch", "Fitness Tracker"],
                             specs={"battery_days": [2, 7, 14], "gps": [True, False]}),
        "game consoles": dict(w=0.7, price=(250, 600), nouns=["Game Console", "Handheld Console"],
                              specs={"storage_gb": [512, 1024]}),
        "video games": dict(w=2.5, price=(15, 70), nouns=["Video Game"], specs={"pegi": [3, 7, 12, 16, 18]}),
    },
    "clothing": {
        "jackets": dict(w=2, price=(55, 280), sizes="apparel",
                        nouns=["Wool Jacket", "Rain Jacket", "Down Jacket", "Softshell Jacket", "Denim Jacket"],
                        specs={"material": ["wool", "recycled polyester", "cotton", "down"]}),
        "jeans": dict(w=2, price=(40, 130), sizes="apparel", nouns=["Slim Jeans", "Straight Jeans", "Relaxed Jeans"],
                      specs={"material": ["cotton denim", "stretch denim"]}),
        "t-shirts": dict(w=2.5, price=(12, 40), sizes="apparel", nouns=["Crew T-Shirt", "V-Neck T-Shirt", "Pocket Tee"],
                         specs={"material": ["organic cotton", "cotton", "linen blend"]}),
        "sweaters": dict(w=1.5, price=(35, 150), sizes="apparel", nouns=["Merino Sweater", "Cable Knit Sweater",
                                                                         "Hoodie"],
                         specs={"material": ["merino wool", "cotton", "cashmere blend"]}),
        "dresses": dict(w=1.5, price=(35, 180), sizes="apparel", nouns=["Wrap Dress", "Midi Dress", "Shirt Dress"],
                        specs={"material": ["viscose", "cotton", "linen"]}),
        "shoes": dict(w=1.5, price=(50, 190), sizes="shoes",
                      nouns=["Leather Sneakers", "Chelsea Boots", "Hiking Boots"],
                      specs={"material": ["leather", "suede", "canvas"]}),
        "running shoes": dict(w=1.5, price=(60, 200), sizes="shoes", nouns=["Running Shoes", "Trail Running Shoes"],
                              specs={"drop_mm": [4, 6, 8, 10]}),
        "sportswear": dict(w=1.5, price=(18, 90), sizes="apparel", nouns=["Running Tights", "Training Top",
                                                                          "Running Shorts"],
                           specs={"material": ["recycled polyester", "merino blend"]}),
    },
    "home": {
        "kitchen": dict(w=3, price=(12, 260), nouns=["Cast Iron Skillet", "Chef's Knife", "Dutch Oven", "Knife Block",
                                                     "Non-Stick Pan Set"], specs={"material": ["cast iron",
                                                                                               "stainless steel"]}),
        "coffee makers": dict(w=1.5, price=(30, 700), nouns=["Espresso Machine", "Pour-Over Set", "Burr Grinder",
                                                             "Drip Coffee Maker"],
                              specs={"capacity_l": [0.5, 1.2, 1.8]}),
        "bedding": dict(w=2, price=(25, 220), nouns=["Duvet Cover Set", "Linen Sheet Set", "Down Pillow", "Wool Throw"],
                        specs={"size": ["single", "double", "king"]}),
        "lamps": dict(w=2, price=(19, 240), nouns=["Desk Lamp", "Floor Lamp", "Reading Light", "Table Lamp"],
                      specs={"bulb": ["LED 8 W", "E27"], "dimmable": [True, False]}),
        "desks": dict(w=1, price=(120, 800), nouns=["Standing Desk", "Writing Desk", "Corner Desk"],
                      specs={"width_cm": [100, 120, 140, 160]}),
        "office chairs": dict(w=1, price=(90, 700), nouns=["Ergonomic Office Chair", "Task Chair"],
                              specs={"lumbar_support": [True, False]}),
        "decor": dict(w=2, price=(10, 150), nouns=["Ceramic Vase", "Wall Print", "Scented Candle", "Cushion Cover"],
                      specs={}),
        "camping gear": dict(w=1.5, price=(20, 450), nouns=["2-Person Tent", "Sleeping Bag", "Camping Stove",
                                                            "Headlamp"], specs={"weight_g": [90, 650, 1200, 2400]}),
    },
}

BRANDS: dict[str, list[str]] = {
    "books": ["Harbor Press", "Northlight Books", "Quill & Ink", "Lantern House", "Bluebird Publishing",
              "Meridian Books"],
    "cameras": ["Lumora", "Kestrel", "Nikara", "Optivo"], "lenses": ["Lumora", "Kestrel", "Nikara", "Sigmar"],
    "camera bags": ["Trailpack", "Lowe Harbor", "Peakline"], "memory cards": ["Sandstone", "Kingsby", "Lumora"],
    "laptops": ["Aeron", "Voltbook", "Lenara", "Zephyr"], "monitors": ["Aeron", "Viewmax", "Lenara"],
    "keyboards": ["Keyforge", "Logix", "Aeron"], "headphones": ["Sonora", "Bassline", "Auralis", "Kestrel"],
    "speakers": ["Sonora", "Bassline", "Auralis"], "smartphones": ["Pixelon", "Nova", "Zephyr"],
    "phone cases": ["Shieldo", "Casewell", "Peakline"], "chargers": ["Voltix", "Ampere", "Shieldo"],
    "smartwatches": ["Pulse", "Stridex", "Nova"], "game consoles": ["Playforge", "Nexus"],
    "video games": ["Playforge Studios", "Ironleaf Games", "Starlit Games"],
    "clothing": ["Nordic", "Urban Thread", "Fjellby", "Coastline", "Stride", "Maple & Co"],
    "home": ["Casa Verde", "Hearth & Home", "Lumen", "Nordhus", "Trailpack", "Brewster"],
}

TITLE_WORDS = {
    "adjectives": ["Silent", "Hidden", "Last", "Golden", "Broken", "Secret", "Winter", "Distant", "Burning", "Quiet",
                   "Lost", "Crimson", "Wild", "Glass", "Iron", "Salt", "Northern", "Paper", "Midnight", "Summer"],
    "nouns": ["Harbor", "Garden", "Kingdom", "River", "Crown", "Orchard", "Lighthouse", "Forest", "City", "Library",
              "Island", "Mountain", "Sea", "Road", "House", "Mirror", "Storm", "Compass", "Bridge", "Tide"],
    "topics": {
        "photography books": ["Light", "Street Photography", "Portraits", "Landscape Photography", "Composition",
                              "Night Photography", "Black and White"],
        "cookbooks": ["Italian", "Japanese", "Vegetarian", "Mediterranean", "Baking", "One-Pot", "Mexican"],
        "travel guides": ["Lisbon", "Kyoto", "Iceland", "Scotland", "the Alps", "Patagonia", "New Zealand"],
        "business books": ["Focus", "Leadership", "Remote Teams", "Negotiation", "Habits", "Strategy"],
        "fitness books": ["Marathon Training", "Strength", "Trail Running", "Yoga", "Mobility"],
        "children's books": ["the Little Fox", "the Brave Bear", "the Moon Rabbit", "the Sleepy Owl"],
    },
    "authors_first": ["Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "James", "Kofi",
                      "Lena", "Marco", "Nora", "Omar", "Paula", "Rosa", "Sven", "Tara", "Yuki"],
    "authors_last": ["Adler", "Brooks", "Castell", "Dunmore", "Ekholm", "Fontaine", "Garcia", "Hale", "Ito", "Jansen",
                     "Keller", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Walsh"],
    "game_titles": ["Starfall", "Iron Legion", "Dune Racers", "Kingdoms of Ash", "Pixel Quest", "Deep Blue",
                    "Skyforge", "Night Runner", "Frontier Farm", "Shadow Tactics"],
    "clothing_adj": ["Classic", "Essential", "Heritage", "Alpine", "Coastal", "Everyday", "Urban", "Trail"],
}

COLOURS = ["Black", "Navy", "Grey", "White", "Olive", "Burgundy", "Sand", "Forest Green", "Sky Blue", "Rust"]
APPAREL_SIZES = ["XS", "S", "M", "L", "XL"]
SHOE_SIZES = ["38", "39", "40", "41", "42", "43", "44", "45", "46"]
SIZE_SHARE = {"XS": 0.08, "S": 0.2, "M": 0.32, "L": 0.26, "XL": 0.14}  # demand per apparel size

# --- interest themes: latent tastes that span content types (weights over sub-categories) ------------------------
THEMES: dict[str, dict[str, float]] = {
    "photography": {"cameras": 3, "lenses": 2, "camera bags": 2, "memory cards": 2, "photography books": 3,
                    "travel guides": 1, "jackets": 0.5},
    "cooking": {"kitchen": 3, "coffee makers": 2, "cookbooks": 4, "decor": 0.5},
    "running": {"running shoes": 3, "sportswear": 3, "smartwatches": 2, "headphones": 1, "fitness books": 2},
    "home office": {"laptops": 2, "monitors": 2, "keyboards": 2, "desks": 2, "office chairs": 2, "lamps": 1.5,
                    "business books": 2, "chargers": 1},
    "gaming": {"game consoles": 2, "video games": 4, "headphones": 2, "monitors": 1, "keyboards": 1, "fantasy": 1.5},
    "fantasy reading": {"fantasy": 5, "novels": 2, "lamps": 1, "bedding": 1, "decor": 0.5},
    "outdoor": {"jackets": 3, "shoes": 2, "camping gear": 3, "travel guides": 2, "smartwatches": 1, "chargers": 1},
    "fashion": {"jeans": 3, "t-shirts": 3, "dresses": 3, "sweaters": 2, "shoes": 2, "jackets": 1.5},
    "mobile & music": {"smartphones": 3, "phone cases": 3, "chargers": 2, "headphones": 3, "speakers": 2},
    "cosy home": {"bedding": 3, "decor": 3, "lamps": 2, "sweaters": 1.5, "novels": 2, "coffee makers": 1},
    "family": {"children's books": 4, "t-shirts": 1, "bedding": 1, "video games": 1, "kitchen": 1},
}

# Buying the key category often brings one of these into the same order (cross-type co-purchase).
COMPLEMENTS: dict[str, list[str]] = {
    "cameras": ["camera bags", "memory cards", "photography books", "lenses"],
    "lenses": ["camera bags", "photography books"],
    "laptops": ["keyboards", "monitors", "chargers"],
    "smartphones": ["phone cases", "chargers", "headphones"],
    "game consoles": ["video games", "headphones"],
    "coffee makers": ["cookbooks", "kitchen"],
    "running shoes": ["sportswear", "fitness books"],
    "desks": ["office chairs", "lamps"],
    "camping gear": ["jackets", "travel guides"],
    "kitchen": ["cookbooks"],
}

# --- customers -----------------------------------------------------------------------------------------------------
FIRST_NAMES = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Leo", "Isla", "Oscar",
               "Chloe", "Mateo", "Zoe", "Samuel", "Hannah", "Daniel", "Amelia", "Jonas", "Maya", "Felix", "Lea",
               "Adam", "Nina", "Ruben", "Alice", "Victor", "Julia", "Theo", "Aisha", "Kenji", "Fatima", "Diego",
               "Ingrid", "Tomas", "Priya", "Ravi", "Chen", "Mei", "Sara", "Erik", "Laura", "Marcus", "Eva", "Jakob",
               "Lina", "Pedro", "Hana", "Owen"]
LAST_NAMES = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson",
              "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Walker", "Hall", "Allen", "Young", "King",
              "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts",
              "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart", "Morris",
              "Nguyen", "Murphy", "Rivera", "Cook", "Rogers", "Kim", "Patel", "Schmidt", "Berg"]
STREETS = ["Maple Street", "Oak Avenue", "Cedar Lane", "Elm Road", "Harbor View", "Mill Lane", "Station Road",
           "Park Avenue", "Church Street", "Riverside Drive", "Willow Way", "King Street", "Queens Road",
           "Orchard Close", "Hillcrest Avenue"]
CITIES = [("Portland", "972"), ("Denver", "802"), ("Austin", "787"), ("Boston", "021"), ("Seattle", "981"),
          ("Chicago", "606"), ("Madison", "537"), ("Raleigh", "276"), ("Phoenix", "850"), ("Atlanta", "303"),
          ("Minneapolis", "554"), ("Pittsburgh", "152")]

# --- orders, shipping, after-sales ---------------------------------------------------------------------------------
CARRIERS = [("DHL", "JD01"), ("UPS", "1Z9A"), ("DPD", "0150"), ("GLS", "GL77"), ("FedEx", "7489")]
DEPOTS = ["Louisville hub", "Memphis hub", "Chicago sorting centre", "Dallas depot", "Newark depot", "Reno depot"]
RETURN_REASONS = {
    "clothing": ["Too small", "Too large", "Colour differs from the photo", "Changed my mind",
                 "Fabric feels different"],
    "electronics": ["Arrived damaged", "Not compatible with my device", "Changed my mind", "Not as described"],
    "books": ["Duplicate gift", "Changed my mind", "Arrived damaged"],
    "home": ["Arrived damaged", "Does not fit the space", "Changed my mind", "Colour differs from the photo"],
}
WARRANTY_FAULTS = ["Battery no longer holds a charge", "Screen flickers after a few minutes",
                   "Does not switch on any more", "Left earbud stopped working", "Autofocus fails intermittently",
                   "Keyboard keys stick", "Charging port is loose", "Speaker crackles at low volume"]
EXCHANGE_STATUSES = ["requested", "shipped", "completed"]


def product_text(r: random.Random, content_type: str, category: str) -> tuple[str, str, str, dict]:
    """One product's (base title, description, brand, attributes) for a category (no variant suffix).

    ``r`` is a ``random.Random``: text choices are many and small, so they use the fast stdlib generator seeded
    from the generator's numpy seed (deterministic).
    """
    spec = CATEGORIES[content_type][category]
    noun = r.choice(spec["nouns"])
    attrs = {k: r.choice(v) for k, v in spec["specs"].items()}
    w = TITLE_WORDS
    if content_type == "books":
        brand = r.choice(BRANDS["books"])
        author = f"{r.choice(w['authors_first'])} {r.choice(w['authors_last'])}"
        topics = w["topics"].get(category)
        if topics:
            title = f"{r.choice(topics)}: {noun}" if category != "cookbooks" else f"{r.choice(topics)} Kitchen: {noun}"
            if category == "children's books":
                title = f"The Adventures of {r.choice(topics)}"
        else:
            title = f"The {r.choice(w['adjectives'])} {r.choice(w['nouns'])}"
            if category == "fantasy" and noun.startswith("Book"):
                title += f" ({noun})"
        attrs.update(author=author, pages=r.randrange(96, 720, 8), format=r.choice(["hardcover", "paperback"]))
        desc = (f"{title} by {author}. A {attrs['format']} {category[:-1] if category.endswith('s') else category}"
                f" of {attrs['pages']} pages, published by {brand}.")
        return title, desc, brand, attrs
    if content_type == "clothing":
        brand = r.choice(BRANDS["clothing"])
        title = f"{brand} {r.choice(w['clothing_adj'])} {noun}"
        attrs["fit"] = "true to size"
        desc = f"{title} in {attrs.get('material', 'durable fabric')}. Machine washable at 30 °C."
        return title, desc, brand, attrs
    brand = r.choice(BRANDS.get(category, BRANDS["home"]))
    if category == "video games":
        title = f"{r.choice(w['game_titles'])}{r.choice(['', ' II', ' III', ': Remastered'])}"
        desc = f"{title}, a {noun.lower()} by {brand}. Rated PEGI {attrs['pegi']}."
        return title, desc, brand, attrs
    if content_type == "electronics":
        model = f"{r.choice('AXZKRST')}{r.choice('ABCMPTVX')}{r.randrange(10, 990, 10)}"
        title = f"{brand} {model} {noun}"
    else:
        title = f"{brand} {r.choice(['Oslo', 'Aria', 'Terra', 'Luna', 'Fjord', 'Ember', 'Sage', 'Nova'])} {noun}"
    specs = ", ".join(f"{k.replace('_', ' ')}: {_fmt(v)}" for k, v in attrs.items())
    desc = f"The {title}. " + (f"Specs — {specs}." if specs else "Designed to last, easy to care for.")
    return title, desc, brand, attrs


def _fmt(v) -> str:
    return "yes" if v is True else "no" if v is False else str(v)


# --- help articles (shown to customers: keep them consistent with the services' rules) ----------------------------
# (category, title, text)
HELP_ARTICLES: list[tuple[str, str, str]] = [
    ("returns", "Return policy",
     f"You can return most items within {RETURN_WINDOW_DAYS} days of delivery for a full refund. The item must have "
     "been delivered, be unused and in its original packaging, and must not be marked final sale (final-sale items "
     "say so on their product page and in your order confirmation). To start a return, tell the assistant your "
     "order number and the email address on the order, and choose the item: you get an RMA number and a prepaid "
     "return label by email. Drop the parcel at any carrier point within 14 days of starting the return."),
    ("refunds", "Refunds",
     "We refund to the original payment method. Once your return reaches our warehouse (usually 3–5 days after you "
     "drop it off) we inspect it and start the refund within 2 business days; the status changes from pending to "
     "processing to completed. Card refunds then take 3–5 business days to appear on your statement, PayPal "
     "refunds 1 day. If you cancelled an order that was already paid, the refund starts automatically."),
    ("exchanges", "Exchanges: another size or colour",
     f"Within {RETURN_WINDOW_DAYS} days of delivery you can exchange clothing and shoes for another size or colour "
     "of the same product, as long as that variant is in stock. We ship the new item as soon as you drop off the "
     "original with the label we send you; there is no charge for the exchange. If the variant you want is out of "
     "stock, you can return the item for a refund instead."),
    ("shipping", "Shipping times and costs",
     "Orders paid before 2 pm ship the same business day. Standard delivery takes 2–5 business days and is free "
     "from 50 EUR (otherwise 4.95 EUR). Express delivery (1–2 business days) costs 9.95 EUR and can be added at "
     "checkout. Once your order ships you receive the carrier and tracking number; the assistant can show you the "
     "latest tracking events for any of your orders."),
    ("orders", "Cancelling an order",
     "You can cancel an order as long as it has not shipped yet (status placed or paid). Ask the assistant with your "
     "order number and email address; if the order was already paid, the refund starts automatically. Once an "
     "order has shipped it can no longer be cancelled, but you can return it within 30 days of delivery."),
    ("orders", "Changing the delivery address",
     "The shipping address of an order can be changed until the order ships (status placed or paid). Give the "
     "assistant your order number, the email address on the order, and the new street, city and postcode. After "
     "shipment the carrier's own redirect service is the only option; contact us and we will help."),
    ("warranty", "Warranty terms",
     "All electronics come with a manufacturer warranty of 12 or 24 months from delivery (shown on the product page "
     "and your invoice). It covers faults in materials and workmanship, not accidental damage, water damage or "
     "normal wear of batteries beyond 80% capacity. To make a claim, describe the fault to the assistant with your "
     "order number; you get a claim number (WC-...) and we repair, replace or refund the item. Extended warranty "
     "adds two more years of the same cover."),
    ("sizing", "Size guide",
     "Our clothing uses sizes XS–XL: XS chest 82–86 cm, S 87–93 cm, M 94–100 cm, L 101–107 cm, XL 108–114 cm. Shoes "
     "use EU sizes 38–46 (EU 42 ≈ 27 cm foot length). If a product page says it runs small, choose one size up. Not "
     "quite right? Exchanges for another size are free within 30 days of delivery."),
    ("payment", "Payment methods",
     "We accept Visa, Mastercard, American Express, PayPal and bank transfer. Card and PayPal payments are confirmed "
     "within minutes; orders paid by bank transfer stay in status placed until the transfer arrives (1–3 business "
     "days) and ship after that. If a payment was declined or charged twice, the assistant can open a ticket with "
     "our payments team."),
    ("orders", "Tracking your order",
     "Order statuses: placed (we received it), paid (payment confirmed), shipped (handed to the carrier, tracking "
     "available), delivered, or cancelled. Ask the assistant for the status of an order with its number (SM- and six "
     "digits) and your email address to see each tracking event with its time and place."),
    ("returns", "Damaged, faulty or missing items",
     "If an item arrives damaged or something is missing from your parcel, tell us within 30 days of delivery. We "
     "send a replacement or refund you in full, including shipping, and you do not pay for the return. For faults "
     "that appear later on electronics, use your warranty."),
    ("contact", "Talking to a person",
     "Our support team answers Monday to Saturday, 8 am–8 pm. Ask the assistant for a human at any time: it passes "
     "the conversation on with a ticket number (TCK-...) so you never have to repeat yourself. Complaints are "
     "answered within one business day."),
]

# (category, title, price EUR, description, for content types / categories)
SERVICES: list[tuple[str, str, float, str]] = [
    ("warranty", "Extended Warranty — 2 extra years", 49.0,
     "Adds two years to the manufacturer warranty of an electronics item: repair or replacement of faults, "
     "free pick-up."),
    ("warranty", "Accidental Damage Cover — 2 years", 79.0,
     "Covers drops, spills and cracked screens on one electronics item for two years from delivery."),
    ("installation", "TV and Soundbar Wall Mounting", 89.0,
     "A technician mounts your TV or soundbar and hides the cables. Brackets not included."),
    ("installation", "Furniture Assembly", 59.0, "We assemble desks, chairs and shelves at your home and take the "
                                                 "packaging away."),
    ("setup", "Laptop and Phone Setup", 29.0, "We set up your new device, move your data from the old one and "
                                              "install updates before it ships."),
    ("setup", "Camera Starter Session", 39.0, "A one-hour online session with a photographer to get to know your new "
                                              "camera's settings."),
    ("gift", "Gift Wrap", 4.5, "Recyclable wrapping paper, ribbon and a handwritten card; prices are hidden on the "
                               "packing slip."),
    ("delivery", "Express Shipping (1–2 days)", 9.95, "Delivery in 1–2 business days for orders paid before 2 pm."),
    ("delivery", "Evening Delivery Slot", 6.95, "Choose a two-hour delivery window between 6 pm and 10 pm."),
    ("repair", "Tailoring and Hemming", 14.0, "Trousers and jeans hemmed to your length before shipping."),
]
