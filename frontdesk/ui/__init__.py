"""The Qt user interface: windows, dialogs and item models over the services."""

APP_TITLE = "Front Desk"
