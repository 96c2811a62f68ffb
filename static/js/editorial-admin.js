'use strict';
// The editorial admin's change form: fill the slug live as the title is typed
// or pasted (Django's prepopulate listens to key presses only).
{
    const constants = document.getElementById('django-admin-prepopulated-fields-constants');
    const fields = constants ? JSON.parse(constants.dataset.prepopulatedFields || '[]') : [];
    for (const field of fields) {
        for (const id of field.dependency_ids) {
            const source = document.querySelector(id);
            if (source) {
                source.addEventListener('input', function () {
                    source.dispatchEvent(new Event('keyup'));
                });
            }
        }
    }
}
