"""One module a screen; each calls the app's controller (koll.field.controller), never another screen."""
