import type { ErrorDetails } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../shared/schemas/payments.ts';
import { errorText } from '../i18n/error-text.ts';
import { formatClock, formatTime, type Locale, moneyLocale } from '../i18n/index.ts';

/**
 * The words of the payment, reservation, dashboard, kiosk and day-closing screens. Kept beside those
 * screens (one dictionary per language, same keys) so the counter's dictionaries stay the counter's.
 */
const es = {
  'pay.title': 'Cobro',
  'pay.reservationTitle': 'Abono a la reserva {number}',
  'pay.total': 'Total',
  'pay.due': 'Por cobrar',
  'pay.rate': 'Tasa: {rate} Bs./USD',
  'pay.tendered': 'Entregado',
  'pay.remaining': 'Resta',
  'pay.change': 'Vuelto',
  'pay.minimum': 'Abono mínimo ({percent} %): {usd} · {ves}',
  'pay.add': 'Agregar pago',
  'pay.method': 'Forma de pago',
  'pay.amount': 'Monto ({currency})',
  'pay.reference': 'Referencia',
  'pay.phone': 'Teléfono',
  'pay.bankCode': 'Banco (código)',
  'pay.email': 'Correo Zelle',
  'pay.currency': 'Moneda',
  'pay.rest': 'Resto',
  'pay.remove': 'Quitar',
  'pay.payFull': 'Cobrar total',
  'pay.deposit': 'Reservar con abono',
  'pay.payInstalment': 'Registrar abono',
  'pay.cancel': 'Cancelar',
  'pay.customer': 'Cliente (reserva con abono)',
  'pay.customerName': 'Nombre',
  'pay.customerId': 'Cédula, RIF o pasaporte',
  'pay.customerPhone': 'Teléfono',
  'pay.hours': 'Horas para completar el pago',
  'pay.working': 'Procesando…',
  'pay.sold': 'Venta completada: {n} entradas, {usd} ({ves}).',
  'pay.soldChange': 'Entregue vuelto: {change}.',
  'pay.reserved': 'Reserva {number} registrada: pagado {paid}, resta {balance} hasta las {time}.',
  'pay.instalmentDone': 'Abono registrado: resta {balance}.',
  'pay.completed': 'Pago completo: la reserva {number} quedó vendida.',
  'pay.incomplete': 'Complete los datos de cada pago.',
  'pay.lineProblem': 'Revise: {problem}',
  'pay.scanIgnored':
    'Se leyó un código con el lector: el cobro NO se confirmó. Para cobrar, pulse Enter o haga clic en el botón.',
  'method.CASH_USD': 'Efectivo USD',
  'method.CASH_VES': 'Efectivo Bs.',
  'method.PAGO_MOVIL': 'Pago Móvil',
  'method.ZELLE': 'Zelle',
  'method.CARD': 'Tarjeta de débito (punto de venta)',
  'method.TRANSFER': 'Transferencia bancaria',
  'res.title': 'Reservas con abono',
  'res.search': 'Buscar por nombre, cédula o RIF, teléfono, n.º de venta o de entrada, o código del quiosco',
  'res.slip': 'Pagar en taquilla · {code}',
  'res.searchButton': 'Buscar',
  'res.none': 'No hay reservas que coincidan.',
  'res.paid': 'Pagado',
  'res.balance': 'Resta',
  'res.until': 'Vence',
  'res.expired': 'Vencida',
  'res.pay': 'Abonar',
  'res.open': 'Por cobrar: reservas con abono y del quiosco, las que vencen primero arriba',
  'res.noneOpen': 'No hay reservas por cobrar.',
  'res.showOpen': 'Ver las reservas por cobrar',
  'res.results': 'Resultados de «{query}»',
  'res.balanceVes': 'Resta Bs.',
  'res.tickets': 'Entradas {numbers}',
  'res.sold': 'Vendida',
  'id.format': 'Escriba V-12345678 (cédula), J-40123456-9 (RIF) o P-123456789 (pasaporte).',
  'id.check-digit': 'El dígito verificador del RIF no corresponde al número: revíselo.',
  'id.needs-letter': 'Falta la letra del RIF: V-, E-, J-, G- o C-.',
  'id.company-needs-rif': 'Un número J-, G- o C- es un RIF: escriba su dígito verificador (J-40123456-9).',
  'drawer.title': 'Caja',
  'drawer.day': 'Día de trabajo {day} (de {cutoff} a {cutoff})',
  'drawer.none': 'La caja está cerrada. Cuente el fondo inicial y ábrala antes de cobrar en efectivo.',
  'drawer.floatUsd': 'Fondo inicial USD',
  'drawer.floatVes': 'Fondo inicial Bs.',
  'drawer.open': 'Abrir caja',
  'drawer.openSince': 'Caja abierta desde las {time} (día {day})',
  'drawer.closedAt': 'Caja cerrada a las {time}: espera el reporte Z',
  'drawer.currency': 'Moneda',
  'drawer.float': 'Fondo inicial',
  'drawer.cashIn': 'Efectivo recibido',
  'drawer.change': 'Vuelto',
  'drawer.paidIn': 'Entradas de caja',
  'drawer.paidOut': 'Salidas de caja',
  'drawer.expected': 'Esperado',
  'drawer.counted': 'Contado',
  'drawer.overShort': 'Sobrante / faltante',
  'drawer.paidInButton': 'Entrada de efectivo',
  'drawer.paidOutButton': 'Salida de efectivo',
  'drawer.amount': 'Monto',
  'drawer.reason': 'Motivo',
  'drawer.supervisorPin': 'PIN del supervisor',
  'drawer.record': 'Registrar',
  'drawer.movements': 'Movimientos de caja',
  'drawer.approvedBy': 'aprobó {who}',
  'drawer.count': 'Cerrar caja (arqueo)',
  'drawer.countUsd': 'Contado USD',
  'drawer.countVes': 'Contado Bs.',
  'drawer.note': 'Nota (opcional)',
  'drawer.confirmCount': 'Cerrar caja con este conteo',
  'drawer.over': 'Sobrante {amount}',
  'drawer.short': 'Faltante {amount}',
  'drawer.exact': 'Cuadre exacto',
  'drawer.outside': 'Efectivo cobrado sin caja abierta: {amounts}',
  'drawer.badAmount': 'Escriba un monto válido, como 50 o 1.250,50.',
  'close.print': 'Imprimir',
  'close.printed': 'Enviado a la impresora.',
  'close.printedCopy': 'Enviado a la impresora (copia {copy}).',
  'close.staff': 'Cajero',
  'close.everyone': 'Todos',
  'close.totalsVes': 'Total en Bs. (a la tasa de cada pago)',
  'close.drawer': 'Arqueo de caja',
  'close.dayRange': 'Día {day} (de {cutoff} a {cutoff})',
  'nav.reservations': 'Reservas',
  'nav.dashboard': 'Tablero',
  'nav.closing': 'Cierre de caja',
  'nav.close': 'Volver a la venta',
  'dash.title': 'Tablero del supervisor',
  'dash.updated': 'Actualizado a las {time}',
  'dash.activeHolds': 'Apartados activos',
  'dash.expiring': 'Vencen en < 1 h',
  'dash.conversion': 'Conversión apartado → venta',
  'dash.reserved': 'Reservados (abono)',
  'dash.sold': 'Vendidos',
  'dash.expired': 'Vencidos',
  'dash.cancelled': 'Cancelados',
  'dash.abandoned': 'Carritos abandonados',
  'dash.outstanding': 'Abonos pendientes',
  'dash.outstandingTotal': '{n} reservas · resta {balance} · {soon} vencen en 24 h',
  'dash.customer': 'Cliente',
  'dash.due': 'Vence',
  'dash.heat': 'Asientos disputados',
  'dash.heatNone': 'Sin intentos rechazados.',
  'dash.alerts': 'Alertas',
  'dash.noAlerts': 'Sin alertas.',
  'dash.alert.expiring': '{event}: {n} apartados o reservas vencen en menos de una hora.',
  'dash.alert.contested': '{event}: el asiento {seat} tuvo {n} intentos rechazados.',
  'dash.alert.abandonment': '{event}: {n} carritos abandonados ({percent} % de los que terminaron).',
  'dash.alert.dueSoon': '{event}: {n} reservas con abono vencen en 24 h (resta {balance}).',
  'dash.chart': 'Entradas por estado',
  'dash.event': 'Evento',
  'close.title': 'Cierre de caja',
  'close.x': 'Reporte X (ver)',
  'close.z': 'Reporte Z (cerrar el día)',
  'close.zConfirm': '¿Cerrar el día de {cashier}? No se puede deshacer.',
  'close.zDone': 'Reporte Z n.º {number} emitido.',
  'close.csv': 'Exportar CSV',
  'close.day': 'Día {day}',
  'close.kind': 'Reporte {kind}',
  'close.number': 'n.º {number}',
  'close.cashier': 'Cajero',
  'close.method': 'Forma de pago',
  'close.currency': 'Moneda',
  'close.count': 'Pagos',
  'close.received': 'Recibido',
  'close.changeGiven': 'Vuelto',
  'close.net': 'Neto',
  'close.netUsd': 'Neto USD',
  'close.totals': 'Totales',
  'close.summary': '{payments} pagos: {sales} ventas, {deposits} abonos iniciales, {instalments} abonos',
  'close.empty': 'Sin pagos desde el último cierre.',
  'close.all': 'Todos los cajeros',
  'close.previous': 'Cierres anteriores',
  'kiosk.welcome': 'Compre sus entradas aquí',
  'kiosk.touch': 'Toque para comenzar',
  'kiosk.pickEvent': 'Elija un evento',
  'kiosk.best': 'Mejores {n} asientos',
  'kiosk.howMany': '¿Cuántas entradas?',
  'kiosk.orMap': 'o toque los asientos en el mapa',
  'kiosk.pay': 'Pagar',
  'kiosk.back': 'Volver',
  'kiosk.startOver': 'Empezar de nuevo',
  'kiosk.idle': '¿Sigue ahí?',
  'kiosk.idleBody': 'Por inactividad, su selección se liberará en {s} s.',
  'kiosk.stay': 'Sí, continuar',
  'kiosk.done': '¡Listo! Retire sus entradas.',
  'kiosk.doneBody': 'Compra {number} · {usd} ({ves})',
  'kiosk.simulate': 'Simular aprobación',
  'kiosk.payTitle': 'Pagar {ves} ({usd})',
  'kiosk.cardHint': 'Siga las instrucciones del punto de venta para pagar con su tarjeta de débito.',
  'kiosk.pmHint':
    'Haga el Pago Móvil por {ves} y escriba la referencia, su teléfono y el código de su banco.',
  'kiosk.trainingHint': 'Entrenamiento: la aprobación es simulada y las entradas no tienen valor.',
  'kiosk.charge': 'Cobrar {ves}',
  'kiosk.verify': 'Verificar pago',
  'kiosk.waiting': 'Esperando la aprobación…',
  'kiosk.payAtCounter': 'Pagar en taquilla',
  'kiosk.counterTitle': 'Pagar en taquilla',
  'kiosk.counterBody':
    'Sus {n} entradas quedan reservadas {minutes} minutos. Se imprimirá un comprobante con un código: preséntelo en la taquilla y pague allí.',
  'kiosk.counterConfirm': 'Reservar y pagar en taquilla',
  'kiosk.slipTitle': 'Pague en la taquilla',
  'kiosk.slipCode': 'Su código',
  'kiosk.slipUntil': 'Pague antes de las {time}; después los asientos vuelven a la venta.',
  'kiosk.slipBody': 'Retire su comprobante impreso. {seats} · {usd} ({ves})',
  'kiosk.exitHint': 'Supervisor: Ctrl+Mayús+Q',
  'kiosk.zone': 'Zona',
  'note.title': 'Avisos',
  'note.expired': 'La reserva {number} de {customer} ({event}) venció; se liberaron {seats}.',
  'note.deposit': 'Abono recibido: {paid} (a devolver o acordar con el cliente).',
  'note.ack': 'Marcar leído',
  'res.seats': 'Asientos',
  'res.number': 'N.º',
  'err.UNDERPAID': 'Pago insuficiente: faltan {short} ({shortVes}).',
  'err.OVERPAID.no-cash':
    'Los pagos electrónicos superan lo adeudado en {excess}; solo el efectivo da vuelto.',
  'err.OVERPAID.change-exceeds-cash': 'El vuelto ({excess}) no puede ser mayor que el efectivo entregado.',
  'err.OVERPAID.deposit-covers-total': 'El abono cubre el total: use «Cobrar total».',
  'err.DEPOSIT_TOO_SMALL': 'El abono mínimo es {minimum} ({percent} % del total); entregado {paid}.',
  'err.RESERVATION_EXPIRED':
    'La reserva de {customer} venció a las {time}: ya no admite pagos y sus asientos se liberaron.',
  'err.NOT_PAYABLE': 'Esta transacción no admite pagos (estado: {status}).',
  'err.PAY_AT_COUNTER_LIMIT.kiosk':
    'En este momento no se pueden apartar más asientos para pagar en taquilla desde este quiosco. Por favor, compre directamente en la taquilla.',
  'err.PAY_AT_COUNTER_LIMIT.session':
    'Ya tiene una reserva para pagar en taquilla. Pásela por la taquilla antes de apartar más asientos.',
  'err.AMOUNT_TOO_LARGE.tender': 'Un pago no puede pasar de {max}: revise el monto {amount}.',
  'err.AMOUNT_TOO_LARGE.payment':
    'Un cobro no puede pasar de {max} (entregado: {amount}). Revise los montos.',
  'err.RATE_OUT_OF_RANGE':
    'La tasa del evento ({rate} Bs./USD) está fuera de lo posible ({minimum} a {maximum}): un supervisor debe corregirla antes de cobrar.',
  'err.RATE_CHANGE_UNCONFIRMED':
    'La tasa cambiaría un {percent} % ({current} → {proposed} Bs./USD). Confirme el cambio si es correcto.',
  'err.DUPLICATE_REFERENCE': 'La referencia {reference} ({method}) ya se usó en la venta {number}.',
  'err.DUPLICATE_REFERENCE.same-payment':
    'La referencia {reference} ({method}) aparece dos veces en este pago: cada pago electrónico tiene su propia referencia.',
  'err.PAYMENT_UNCONFIRMED.kiosk-cash': 'El quiosco no recibe efectivo: pague en la taquilla.',
  'err.PAYMENT_UNCONFIRMED.no-confirmation':
    'Ningún proveedor de pagos confirmó este pago: el quiosco solo registra pagos confirmados.',
  'err.PAYMENT_UNCONFIRMED.no-provider':
    'Este quiosco no cobra con tarjeta ni Pago Móvil: pague en la taquilla.',
  'err.PAYMENT_UNCONFIRMED.method-not-offered': 'Esta forma de pago no está disponible en este quiosco.',
  'err.PAYMENT_UNCONFIRMED.provider-mismatch':
    'El proveedor confirmó un monto distinto; el pago fue anulado. Intente de nuevo o pague en la taquilla.',
  'err.PAYMENT_UNCONFIRMED.reversed': 'Este intento ya fue anulado; intente de nuevo.',
  'err.PAYMENT_DECLINED': 'Pago rechazado ({reason}). No se cobró nada.',
  'err.PAYMENT_NOT_REVERSED':
    'Se cobraron {amount} (referencia {reference}) pero la venta no se completó y no se pudo anular: acuda a la taquilla con esta referencia.',
  'err.UNKNOWN_PAYMENT_PROVIDER': 'No existe el proveedor de pagos «{provider}». Disponibles: {available}.',
  'err.TRAINING_MODE.live-store':
    'El proveedor «training» simula aprobaciones: solo existe en una tienda de entrenamiento.',
  'err.TRAINING_MODE.enrolled':
    'Esta tienda está inscrita en un servidor: use una tienda nueva para entrenar.',
  'err.TRAINING_MODE.has-sales': 'Esta tienda tiene ventas reales: use una tienda nueva para entrenar.',
  'err.TRAINING_MODE.training-store': 'Una tienda de entrenamiento no puede hacer esto.',
  'provider.title': 'Proveedor de pagos del quiosco',
  'provider.none': 'Sin proveedor: el quiosco ofrece «Pagar en taquilla».',
  'provider.current': 'Proveedor: {provider}.',
  'provider.available': 'Disponibles en esta tienda: {available}.',
  'provider.name': 'Nombre del proveedor',
  'provider.save': 'Guardar',
  'provider.clear': 'Sin proveedor',
  none: 'ninguno',
  'err.DAY_ALREADY_CLOSED': 'El día {day} de {cashier} ya fue cerrado (Z n.º {number}).',
  'err.DEPOSIT_TOO_SHORT': 'Una reserva con abono guarda los asientos de {min} a {max} horas, no {hours}.',
  'err.UNKNOWN_STAFF.unknown': 'No hay ningún cajero «{reference}». Cajeros: {known}.',
  'err.UNKNOWN_STAFF.ambiguous':
    '«{reference}» corresponde a varios cajeros: elija uno de la lista ({known}).',
  'err.SHIFT_OPEN': 'La caja abierta a las {time} (día {day}) sigue abierta: ciérrela con el arqueo primero.',
  'err.NO_OPEN_SHIFT': 'No hay caja abierta: ábrala con el fondo inicial.',
  'err.APPROVAL_REQUIRED': 'Una salida de efectivo necesita el PIN de un supervisor.',
  'err.INSUFFICIENT_CASH': 'La caja solo debería tener {available}: no se pueden sacar {requested}.',
  'err.ROLE_NOT_ALLOWED': 'Su usuario no tiene permiso para esta operación.',
  'err.INCOMPLETE': 'Complete los datos de cada pago.',
};

export type PaymentTextKey = keyof typeof es;

const en: Record<PaymentTextKey, string> = {
  'pay.title': 'Payment',
  'pay.reservationTitle': 'Payment on reservation {number}',
  'pay.total': 'Total',
  'pay.due': 'Due',
  'pay.rate': 'Rate: {rate} Bs./USD',
  'pay.tendered': 'Tendered',
  'pay.remaining': 'Remaining',
  'pay.change': 'Change',
  'pay.minimum': 'Minimum deposit ({percent} %): {usd} · {ves}',
  'pay.add': 'Add payment',
  'pay.method': 'Method',
  'pay.amount': 'Amount ({currency})',
  'pay.reference': 'Reference',
  'pay.phone': 'Phone',
  'pay.bankCode': 'Bank (code)',
  'pay.email': 'Zelle email',
  'pay.currency': 'Currency',
  'pay.rest': 'Rest',
  'pay.remove': 'Remove',
  'pay.payFull': 'Pay in full',
  'pay.deposit': 'Reserve with deposit',
  'pay.payInstalment': 'Record payment',
  'pay.cancel': 'Cancel',
  'pay.customer': 'Customer (deposit reservation)',
  'pay.customerName': 'Name',
  'pay.customerId': 'ID (cédula, RIF or passport)',
  'pay.customerPhone': 'Phone',
  'pay.hours': 'Hours to complete payment',
  'pay.working': 'Working…',
  'pay.sold': 'Sale completed: {n} tickets, {usd} ({ves}).',
  'pay.soldChange': 'Give change: {change}.',
  'pay.reserved': 'Reservation {number} recorded: paid {paid}, {balance} left until {time}.',
  'pay.instalmentDone': 'Payment recorded: {balance} left.',
  'pay.completed': 'Paid in full: reservation {number} is now sold.',
  'pay.incomplete': 'Complete every payment line.',
  'pay.lineProblem': 'Check: {problem}',
  'pay.scanIgnored':
    'A code was read by the scanner: the payment was NOT confirmed. To take it, press Enter or click the button.',
  'method.CASH_USD': 'Cash USD',
  'method.CASH_VES': 'Cash Bs.',
  'method.PAGO_MOVIL': 'Pago Móvil',
  'method.ZELLE': 'Zelle',
  'method.CARD': 'Debit card (POS)',
  'method.TRANSFER': 'Bank transfer',
  'res.title': 'Deposit reservations',
  'res.search': 'Search by name, cédula or RIF, phone, sale or ticket number, or kiosk code',
  'res.slip': 'Pay at the counter · {code}',
  'res.searchButton': 'Search',
  'res.none': 'No matching reservations.',
  'res.paid': 'Paid',
  'res.balance': 'Left',
  'res.until': 'Due',
  'res.expired': 'Expired',
  'res.pay': 'Pay',
  'res.open': 'To collect: deposit and kiosk reservations, soonest to expire first',
  'res.noneOpen': 'No reservations to collect.',
  'res.showOpen': 'Show the reservations to collect',
  'res.results': 'Results for “{query}”',
  'res.balanceVes': 'Left Bs.',
  'res.tickets': 'Tickets {numbers}',
  'res.sold': 'Sold',
  'id.format': 'Write V-12345678 (cédula), J-40123456-9 (RIF) or P-123456789 (passport).',
  'id.check-digit': "The RIF's check digit does not match its number: check it.",
  'id.needs-letter': 'The RIF needs its letter: V-, E-, J-, G- or C-.',
  'id.company-needs-rif': 'A J-, G- or C- number is a RIF: write its check digit (J-40123456-9).',
  'drawer.title': 'Cash drawer',
  'drawer.day': 'Business day {day} ({cutoff} to {cutoff})',
  'drawer.none': 'The drawer is closed. Count the opening float and open it before taking cash.',
  'drawer.floatUsd': 'Opening float USD',
  'drawer.floatVes': 'Opening float Bs.',
  'drawer.open': 'Open drawer',
  'drawer.openSince': 'Drawer open since {time} (day {day})',
  'drawer.closedAt': 'Drawer closed at {time}: waiting for the Z report',
  'drawer.currency': 'Currency',
  'drawer.float': 'Opening float',
  'drawer.cashIn': 'Cash taken',
  'drawer.change': 'Change',
  'drawer.paidIn': 'Paid in',
  'drawer.paidOut': 'Paid out',
  'drawer.expected': 'Expected',
  'drawer.counted': 'Counted',
  'drawer.overShort': 'Over / short',
  'drawer.paidInButton': 'Paid in',
  'drawer.paidOutButton': 'Paid out',
  'drawer.amount': 'Amount',
  'drawer.reason': 'Reason',
  'drawer.supervisorPin': 'Supervisor PIN',
  'drawer.record': 'Record',
  'drawer.movements': 'Cash movements',
  'drawer.approvedBy': 'approved by {who}',
  'drawer.count': 'Close drawer (count)',
  'drawer.countUsd': 'Counted USD',
  'drawer.countVes': 'Counted Bs.',
  'drawer.note': 'Note (optional)',
  'drawer.confirmCount': 'Close drawer with this count',
  'drawer.over': 'Over {amount}',
  'drawer.short': 'Short {amount}',
  'drawer.exact': 'Exact',
  'drawer.outside': 'Cash taken with no drawer open: {amounts}',
  'drawer.badAmount': 'Type a valid amount, like 50 or 1,250.50.',
  'close.print': 'Print',
  'close.printed': 'Sent to the printer.',
  'close.printedCopy': 'Sent to the printer (copy {copy}).',
  'close.staff': 'Cashier',
  'close.everyone': 'Everyone',
  'close.totalsVes': 'Total in Bs. (at each payment’s rate)',
  'close.drawer': 'Cash count',
  'close.dayRange': 'Day {day} ({cutoff} to {cutoff})',
  'nav.reservations': 'Reservations',
  'nav.dashboard': 'Dashboard',
  'nav.closing': 'Day closing',
  'nav.close': 'Back to selling',
  'dash.title': 'Supervisor dashboard',
  'dash.updated': 'Updated at {time}',
  'dash.activeHolds': 'Active holds',
  'dash.expiring': 'Expire in < 1 h',
  'dash.conversion': 'Hold → sale conversion',
  'dash.reserved': 'Reserved (deposit)',
  'dash.sold': 'Sold',
  'dash.expired': 'Expired',
  'dash.cancelled': 'Cancelled',
  'dash.abandoned': 'Abandoned carts',
  'dash.outstanding': 'Outstanding deposits',
  'dash.outstandingTotal': '{n} reservations · {balance} left · {soon} due within 24 h',
  'dash.customer': 'Customer',
  'dash.due': 'Due',
  'dash.heat': 'Contested seats',
  'dash.heatNone': 'No refused attempts.',
  'dash.alerts': 'Alerts',
  'dash.noAlerts': 'No alerts.',
  'dash.alert.expiring': '{event}: {n} holds or reservations expire within an hour.',
  'dash.alert.contested': '{event}: seat {seat} had {n} refused attempts.',
  'dash.alert.abandonment': '{event}: {n} abandoned carts ({percent} % of those that ended).',
  'dash.alert.dueSoon': '{event}: {n} deposit reservations due within 24 h ({balance} left).',
  'dash.chart': 'Tickets by state',
  'dash.event': 'Event',
  'close.title': 'Day closing',
  'close.x': 'X report (view)',
  'close.z': 'Z report (close the day)',
  'close.zConfirm': "Close {cashier}'s day? This cannot be undone.",
  'close.zDone': 'Z report no. {number} issued.',
  'close.csv': 'Export CSV',
  'close.day': 'Day {day}',
  'close.kind': '{kind} report',
  'close.number': 'no. {number}',
  'close.cashier': 'Cashier',
  'close.method': 'Method',
  'close.currency': 'Currency',
  'close.count': 'Payments',
  'close.received': 'Received',
  'close.changeGiven': 'Change',
  'close.net': 'Net',
  'close.netUsd': 'Net USD',
  'close.totals': 'Totals',
  'close.summary': '{payments} payments: {sales} sales, {deposits} deposits, {instalments} instalments',
  'close.empty': 'No payments since the last closing.',
  'close.all': 'All cashiers',
  'close.previous': 'Previous closings',
  'kiosk.welcome': 'Buy your tickets here',
  'kiosk.touch': 'Touch to start',
  'kiosk.pickEvent': 'Choose an event',
  'kiosk.best': 'Best {n} seats',
  'kiosk.howMany': 'How many tickets?',
  'kiosk.orMap': 'or touch seats on the map',
  'kiosk.pay': 'Pay',
  'kiosk.back': 'Back',
  'kiosk.startOver': 'Start over',
  'kiosk.idle': 'Are you still there?',
  'kiosk.idleBody': 'Your selection will be released in {s} s.',
  'kiosk.stay': 'Yes, continue',
  'kiosk.done': 'Done! Collect your tickets.',
  'kiosk.doneBody': 'Purchase {number} · {usd} ({ves})',
  'kiosk.simulate': 'Simulate approval',
  'kiosk.payTitle': 'Pay {ves} ({usd})',
  'kiosk.cardHint': 'Follow the card terminal’s instructions to pay with your debit card.',
  'kiosk.pmHint': 'Make the Pago Móvil for {ves} and type the reference, your phone and your bank code.',
  'kiosk.trainingHint': 'Training: the approval is simulated and the tickets are worth nothing.',
  'kiosk.charge': 'Charge {ves}',
  'kiosk.verify': 'Check payment',
  'kiosk.waiting': 'Waiting for the approval…',
  'kiosk.payAtCounter': 'Pay at the counter',
  'kiosk.counterTitle': 'Pay at the counter',
  'kiosk.counterBody':
    'Your {n} tickets stay reserved for {minutes} minutes. A slip with a code will print: show it at the counter and pay there.',
  'kiosk.counterConfirm': 'Reserve and pay at the counter',
  'kiosk.slipTitle': 'Pay at the counter',
  'kiosk.slipCode': 'Your code',
  'kiosk.slipUntil': 'Pay before {time}; after that the seats go back on sale.',
  'kiosk.slipBody': 'Take your printed slip. {seats} · {usd} ({ves})',
  'kiosk.exitHint': 'Supervisor: Ctrl+Shift+Q',
  'kiosk.zone': 'Zone',
  'note.title': 'Notices',
  'note.expired': 'Reservation {number} for {customer} ({event}) expired; {seats} released.',
  'note.deposit': 'Deposit received: {paid} (refund or agree with the customer).',
  'note.ack': 'Mark read',
  'res.seats': 'Seats',
  'res.number': 'No.',
  'err.UNDERPAID': 'Underpaid: {short} ({shortVes}) missing.',
  'err.OVERPAID.no-cash': 'Electronic payments exceed what is due by {excess}; only cash gives change.',
  'err.OVERPAID.change-exceeds-cash': 'The change ({excess}) cannot exceed the cash handed over.',
  'err.OVERPAID.deposit-covers-total': 'The deposit covers the total: use "Pay in full".',
  'err.DEPOSIT_TOO_SMALL': 'The minimum deposit is {minimum} ({percent} % of the total); tendered {paid}.',
  'err.RESERVATION_EXPIRED':
    "{customer}'s reservation expired at {time}: it takes no more payments and its seats were released.",
  'err.NOT_PAYABLE': 'This transaction takes no payments (status: {status}).',
  'err.PAY_AT_COUNTER_LIMIT.kiosk':
    'No more seats can be set aside to pay at the counter from this kiosk right now. Please buy at the counter.',
  'err.PAY_AT_COUNTER_LIMIT.session':
    'You already have a reservation to pay at the counter. Please pay it at the counter before setting aside more seats.',
  'err.AMOUNT_TOO_LARGE.tender': 'One tender cannot exceed {max}: check the amount {amount}.',
  'err.AMOUNT_TOO_LARGE.payment': 'One payment cannot exceed {max} (tendered: {amount}). Check the amounts.',
  'err.RATE_OUT_OF_RANGE':
    "The event's rate ({rate} Bs./USD) is outside what is possible ({minimum} to {maximum}): a supervisor must fix it before taking money.",
  'err.RATE_CHANGE_UNCONFIRMED':
    'The rate would change by {percent} % ({current} → {proposed} Bs./USD). Confirm the change if it is right.',
  'err.DUPLICATE_REFERENCE': 'Reference {reference} ({method}) was already used in sale {number}.',
  'err.DUPLICATE_REFERENCE.same-payment':
    'Reference {reference} ({method}) appears twice in this payment: each electronic payment has its own reference.',
  'err.PAYMENT_UNCONFIRMED.kiosk-cash': 'The kiosk takes no cash: please pay at the counter.',
  'err.PAYMENT_UNCONFIRMED.no-confirmation':
    'No payment provider confirmed this payment: the kiosk records only confirmed payments.',
  'err.PAYMENT_UNCONFIRMED.no-provider': 'This kiosk takes no card or Pago Móvil: please pay at the counter.',
  'err.PAYMENT_UNCONFIRMED.method-not-offered': 'This way of paying is not available at this kiosk.',
  'err.PAYMENT_UNCONFIRMED.provider-mismatch':
    'The provider confirmed a different amount; the payment was cancelled. Try again or pay at the counter.',
  'err.PAYMENT_UNCONFIRMED.reversed': 'This attempt was already cancelled; please try again.',
  'err.PAYMENT_DECLINED': 'Payment declined ({reason}). Nothing was charged.',
  'err.PAYMENT_NOT_REVERSED':
    '{amount} was charged (reference {reference}) but the sale did not go through and could not be cancelled: please go to the counter with this reference.',
  'err.UNKNOWN_PAYMENT_PROVIDER': 'There is no payment provider “{provider}”. Available: {available}.',
  'err.TRAINING_MODE.live-store':
    'The “training” provider simulates approvals: it exists only on a training store.',
  'err.TRAINING_MODE.enrolled': 'This store is enrolled with a server: use a new store for training.',
  'err.TRAINING_MODE.has-sales': 'This store has real sales: use a new store for training.',
  'err.TRAINING_MODE.training-store': 'A training store cannot do this.',
  'provider.title': 'Kiosk payment provider',
  'provider.none': 'No provider: the kiosk offers “Pay at the counter”.',
  'provider.current': 'Provider: {provider}.',
  'provider.available': 'Available on this store: {available}.',
  'provider.name': 'Provider name',
  'provider.save': 'Save',
  'provider.clear': 'No provider',
  none: 'none',
  'err.DAY_ALREADY_CLOSED': "{cashier}'s day {day} is already closed (Z no. {number}).",
  'err.DEPOSIT_TOO_SHORT': 'A deposit reservation keeps its seats {min} to {max} hours, not {hours}.',
  'err.UNKNOWN_STAFF.unknown': 'There is no cashier “{reference}”. Cashiers: {known}.',
  'err.UNKNOWN_STAFF.ambiguous': '“{reference}” names several cashiers: pick one from the list ({known}).',
  'err.SHIFT_OPEN': 'The drawer opened at {time} (day {day}) is still open: close it with a count first.',
  'err.NO_OPEN_SHIFT': 'No drawer is open: open it with the opening float.',
  'err.APPROVAL_REQUIRED': "A paid-out needs a supervisor's PIN.",
  'err.INSUFFICIENT_CASH': 'The drawer should only hold {available}: {requested} cannot be taken out.',
  'err.ROLE_NOT_ALLOWED': 'Your user may not do this.',
  'err.INCOMPLETE': 'Complete every payment line.',
};

const DICTIONARIES: Record<Locale, Record<PaymentTextKey, string>> = { es, en };

export function pt(
  locale: Locale,
  key: PaymentTextKey,
  params: Record<string, string | number> = {},
): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    name in params ? String(params[name]) : `{${name}}`,
  );
}

export function usd(locale: Locale, cents: number): string {
  return formatMoney({ currency: 'USD', cents }, moneyLocale(locale));
}

export function ves(locale: Locale, cents: number): string {
  return formatMoney({ currency: 'VES', cents }, moneyLocale(locale));
}

/** A business day ('YYYY-MM-DD') as people read it: 27/11/2026 (es), 11/27/2026 (en). */
export function businessDayText(locale: Locale, day: string): string {
  const [y, m, d] = day.split('-');
  return locale === 'es' ? `${d}/${m}/${y}` : `${m}/${d}/${y}`;
}

/** The cutoff hour as a time of day: '04:00'. */
export function cutoffText(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

export function methodName(locale: Locale, method: PaymentMethod): string {
  return pt(locale, `method.${method}`);
}

/** A payment refusal as a sentence; anything else goes to the counter's own error sentences. */
export function paymentErrorText(locale: Locale, code: string, message: string, details: unknown): string {
  switch (code) {
    case 'UNDERPAID': {
      const d = details as ErrorDetails['UNDERPAID'];
      return pt(locale, 'err.UNDERPAID', {
        short: usd(locale, d.shortCents),
        shortVes: ves(locale, d.shortVesCents),
      });
    }
    case 'OVERPAID': {
      const d = details as ErrorDetails['OVERPAID'];
      return pt(locale, `err.OVERPAID.${d.reason}`, { excess: usd(locale, d.excessCents) });
    }
    case 'DEPOSIT_TOO_SMALL': {
      const d = details as ErrorDetails['DEPOSIT_TOO_SMALL'];
      return pt(locale, 'err.DEPOSIT_TOO_SMALL', {
        minimum: usd(locale, d.minimumCents),
        percent: d.minimumBasisPoints / 100,
        paid: usd(locale, d.paidCents),
      });
    }
    case 'RESERVATION_EXPIRED': {
      const d = details as ErrorDetails['RESERVATION_EXPIRED'];
      return pt(locale, 'err.RESERVATION_EXPIRED', {
        customer: d.customerName ?? '—',
        time: d.expiredAt === null ? '—' : formatTime(locale, d.expiredAt),
      });
    }
    case 'NOT_PAYABLE':
      return pt(locale, 'err.NOT_PAYABLE', { status: (details as ErrorDetails['NOT_PAYABLE']).status });
    case 'PAY_AT_COUNTER_LIMIT':
      return pt(
        locale,
        `err.PAY_AT_COUNTER_LIMIT.${(details as ErrorDetails['PAY_AT_COUNTER_LIMIT']).scope}`,
      );
    case 'AMOUNT_TOO_LARGE': {
      const d = details as ErrorDetails['AMOUNT_TOO_LARGE'];
      const money = d.currency === 'USD' ? usd : ves;
      return pt(locale, `err.AMOUNT_TOO_LARGE.${d.scope}`, {
        max: money(locale, d.maxCents),
        amount: money(locale, d.amountCents),
      });
    }
    case 'RATE_OUT_OF_RANGE': {
      const d = details as ErrorDetails['RATE_OUT_OF_RANGE'];
      return pt(locale, 'err.RATE_OUT_OF_RANGE', {
        rate: d.vesPerUsd,
        minimum: d.minimum,
        maximum: d.maximum,
      });
    }
    case 'RATE_CHANGE_UNCONFIRMED': {
      const d = details as ErrorDetails['RATE_CHANGE_UNCONFIRMED'];
      return pt(locale, 'err.RATE_CHANGE_UNCONFIRMED', {
        percent: d.changePercent,
        current: d.current,
        proposed: d.proposed,
      });
    }
    case 'DUPLICATE_REFERENCE': {
      const d = details as ErrorDetails['DUPLICATE_REFERENCE'];
      const known = (PAYMENT_METHODS as readonly string[]).includes(d.method);
      const method = known ? methodName(locale, d.method as PaymentMethod) : d.method;
      if (d.transactionNumber === null)
        return pt(locale, 'err.DUPLICATE_REFERENCE.same-payment', { reference: d.reference, method });
      return pt(locale, 'err.DUPLICATE_REFERENCE', {
        reference: d.reference,
        method,
        number: d.transactionNumber,
      });
    }
    case 'PAYMENT_UNCONFIRMED':
      return pt(locale, `err.PAYMENT_UNCONFIRMED.${(details as ErrorDetails['PAYMENT_UNCONFIRMED']).reason}`);
    case 'PAYMENT_DECLINED':
      return pt(locale, 'err.PAYMENT_DECLINED', {
        reason: (details as ErrorDetails['PAYMENT_DECLINED']).reason,
      });
    case 'PAYMENT_NOT_REVERSED': {
      const d = details as ErrorDetails['PAYMENT_NOT_REVERSED'];
      return pt(locale, 'err.PAYMENT_NOT_REVERSED', {
        amount: formatMoney({ currency: d.currency, cents: d.amountCents }, moneyLocale(locale)),
        reference: d.reference,
      });
    }
    case 'UNKNOWN_PAYMENT_PROVIDER': {
      const d = details as ErrorDetails['UNKNOWN_PAYMENT_PROVIDER'];
      return pt(locale, 'err.UNKNOWN_PAYMENT_PROVIDER', {
        provider: d.provider,
        available: d.available.join(', ') || pt(locale, 'none'),
      });
    }
    case 'TRAINING_MODE':
      return pt(locale, `err.TRAINING_MODE.${(details as ErrorDetails['TRAINING_MODE']).reason}`);
    case 'DAY_ALREADY_CLOSED': {
      const d = details as ErrorDetails['DAY_ALREADY_CLOSED'];
      return pt(locale, 'err.DAY_ALREADY_CLOSED', {
        day: businessDayText(locale, d.businessDay),
        cashier: d.cashier.replace(/^(cashier|supervisor):/, ''),
        number: d.closingNumber,
      });
    }
    case 'DEPOSIT_TOO_SHORT': {
      const d = details as ErrorDetails['DEPOSIT_TOO_SHORT'];
      return pt(locale, 'err.DEPOSIT_TOO_SHORT', {
        min: d.minimumHours,
        max: d.maximumHours,
        hours: d.hours,
      });
    }
    case 'UNKNOWN_STAFF': {
      const d = details as ErrorDetails['UNKNOWN_STAFF'];
      return pt(locale, `err.UNKNOWN_STAFF.${d.reason}`, {
        reference: d.reference,
        known: d.known.map((k) => k.name).join(', ') || pt(locale, 'none'),
      });
    }
    case 'SHIFT_OPEN': {
      const d = details as ErrorDetails['SHIFT_OPEN'];
      return pt(locale, 'err.SHIFT_OPEN', {
        time: formatClock(locale, d.openedAt),
        day: businessDayText(locale, d.businessDay),
      });
    }
    case 'NO_OPEN_SHIFT':
      return pt(locale, 'err.NO_OPEN_SHIFT');
    case 'APPROVAL_REQUIRED':
      return pt(locale, 'err.APPROVAL_REQUIRED');
    case 'INSUFFICIENT_CASH': {
      const d = details as ErrorDetails['INSUFFICIENT_CASH'];
      const money = (cents: number) => formatMoney({ currency: d.currency, cents }, moneyLocale(locale));
      return pt(locale, 'err.INSUFFICIENT_CASH', {
        available: money(d.availableCents),
        requested: money(d.requestedCents),
      });
    }
    case 'ROLE_NOT_ALLOWED':
      return pt(locale, 'err.ROLE_NOT_ALLOWED');
    case 'INCOMPLETE':
      return pt(locale, 'err.INCOMPLETE');
    default:
      return errorText(locale, code, message, details);
  }
}
