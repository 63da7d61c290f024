/**
 * Spanish for what a schema refuses (shared/schemas/*): `field.*` names the field a VALIDATION issue
 * points at (the last part of its path), `problem.*` is the schema's own English message in Spanish.
 * A message not listed here still reaches the cashier in Spanish, as `problem.invalid`.
 */
export const validation = {
  issue: '{field}: {problem}',
  'field.amountCents': 'Monto',
  'field.amount': 'Monto',
  'field.reference': 'Referencia',
  'field.bankCode': 'Banco',
  'field.phone': 'Teléfono',
  'field.email': 'Correo',
  'field.idNumber': 'Cédula, RIF o pasaporte',
  'field.name': 'Nombre',
  'field.tenders': 'Pagos',
  'field.seatIds': 'Asientos',
  'field.query': 'Búsqueda',
  'field.vesPerUsd': 'Tasa',
  'field.hours': 'Horas',
  'field.minutes': 'Minutos',
  'field.reason': 'Motivo',
  'field.pin': 'PIN',
  'field.input': 'Datos',
  'problem.invalid': 'valor no válido',
  'problem.amount is a whole number of cents': 'el monto lleva a lo sumo dos decimales',
  'problem.amount must be greater than zero': 'el monto debe ser mayor que cero',
  'problem.amount is too large': 'el monto es demasiado grande',
  'problem.amount-format': 'escriba un monto válido, como 50 o 1.250,50',
  'problem.bank code has four digits, like 0102': 'el código del banco tiene cuatro dígitos, como 0102',
  'problem.reference has 4 to 20 digits': 'la referencia tiene de 4 a 20 dígitos',
  'problem.reference has 4 to 40 letters or digits': 'la referencia tiene de 4 a 40 letras o dígitos',
  'problem.mobile number looks like 0414-1234567': 'el celular se escribe como 0414-1234567',
  'problem.email looks like name@example.com': 'el correo se escribe como nombre@ejemplo.com',
  'problem.Zelle needs the confirmation reference or the sender email':
    'Zelle necesita la referencia de confirmación o el correo de quien envía',
  'problem.at most 12 tenders in one payment': 'un cobro lleva a lo sumo 12 pagos',
  'problem.add at least one tender': 'agregue al menos un pago',
  'problem.phone has 7 to 15 digits': 'el teléfono tiene de 7 a 15 dígitos',
  'problem.phone has 7 to 20 digits': 'el teléfono tiene de 7 a 20 dígitos',
  'problem.give the cédula or the phone number': 'indique la cédula o el teléfono',
  'problem.type at least 2 characters': 'escriba al menos 2 caracteres',
  'problem.rate like 36.50': 'la tasa se escribe como 36,50',
  'problem.choose at least one seat': 'elija al menos un asiento',
  'problem.at most 100 seats in one request': 'a lo sumo 100 asientos a la vez',
  'problem.a seat appears twice in the request': 'un asiento aparece dos veces',
  'problem.give hours or minutes, not both': 'indique horas o minutos, no ambos',
  'problem.identity number looks like V-12345678 (cédula), J-40123456-9 (RIF) or P-123456789 (passport)':
    'escriba V-12345678 (cédula), J-40123456-9 (RIF) o P-123456789 (pasaporte)',
  "problem.the RIF's check digit does not match its number":
    'el dígito verificador del RIF no corresponde al número',
  'problem.a RIF needs its letter: V-, E-, J-, G- or C-': 'falta la letra del RIF: V-, E-, J-, G- o C-',
  'problem.a J-, G- or C- number is a RIF: write its check digit, like J-40123456-9':
    'un número J-, G- o C- es un RIF: escriba su dígito verificador (J-40123456-9)',
};

export type ValidationKey = keyof typeof validation;
