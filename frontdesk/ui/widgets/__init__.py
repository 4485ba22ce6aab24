"""Small widgets shared by many screens: form rows with messages, banners, empty states."""
